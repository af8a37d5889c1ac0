"""Orbit counts of (signed) permutation groups against the character average over their
elements, listed by an independent closure; the orbit certificate of groups too large to
enumerate (S(9), the hyperoctahedral group B(7), the Rubik's cube group in test_emlp_matrix)."""

import warnings

import numpy as np
import pytest
import sympy
from hypothesis import given, strategies as st

from symgen import groups, reps
from symgen.algebra.groups import equivariance, orbit_count
from symgen.errors import CertificationError, CertificationWarning


def closure(perms, signs):
    """Every element ``(p, s)`` of the generated group, by breadth-first closure (tuples as keys)."""
    n = len(perms[0]) if len(perms) else 0
    one = (tuple(range(n)), (1,) * n)
    seen, frontier = {one}, [one]
    while frontier:
        nxt = []
        for p, s in frontier:
            for hp, hs in zip(perms, signs):
                g = (tuple(hp[i] for i in p), tuple(s[i] * hs[p[i]] for i in range(n)))
                if g not in seen:
                    seen.add(g)
                    nxt.append(g)
        frontier = nxt
    return seen


def character_count(perms, signs, K):
    """``mean over g of tr(g)^K``: the invariants of V^⊗K (signed permutations are orthogonal,
    so V* = V and the character of V^⊗K is tr(g)^K)."""
    els = closure([list(p) for p in perms], [list(s) for s in signs])
    total = sum(sum(s[i] for i in range(len(p)) if p[i] == i) ** K for p, s in els)
    assert total % len(els) == 0
    return total // len(els)


@st.composite
def signed_groups(draw, signed=True):
    n = draw(st.integers(1, 4))
    m = draw(st.integers(1, 3))
    perms = [draw(st.permutations(list(range(n)))) for _ in range(m)]
    signs = [draw(st.lists(st.sampled_from([1, -1] if signed else [1]), min_size=n, max_size=n)) for _ in range(m)]
    return np.array(perms), np.array(signs)


@given(signed_groups(), st.integers(0, 4), st.booleans())
def test_counts_match_the_character_average(group, K, split):
    perms, signs = group
    with pytest.MonkeyPatch.context() as m:
        if split:
            m.setattr(orbit_count, "DIRECT_TUPLES", 1)      # always split off the first leg (Schreier)
        count = orbit_count.invariant_count(perms, signs, K)
    assert count == character_count(perms, signs, K)


def test_split_and_direct_counts_agree_beyond_one_level():
    """A signed group of order 2^5·5! on 5 points, 5 legs: the split recursion goes four levels deep."""
    perms = np.array([[1, 0, 2, 3, 4], [1, 2, 3, 4, 0], [0, 1, 2, 3, 4]])
    signs = np.array([[1, 1, 1, 1, 1], [1, 1, 1, 1, 1], [-1, 1, 1, 1, 1]])
    direct = orbit_count.invariant_count(perms, signs, 5)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(orbit_count, "DIRECT_TUPLES", 1)
        assert orbit_count.invariant_count(perms, signs, 5) == direct == 0        # odd: -I is in the group
        assert orbit_count.invariant_count(perms, signs, 4) == 4                  # δδ pairings and δ_ijkl


NAMED = {"Z(5)": lambda: groups.Z(5), "D(4)": lambda: groups.D(4), "S(4)": lambda: groups.S(4),
         "C(4)": lambda: groups.C(4), "D(4, plane)": lambda: groups.D(4, action="plane"),
         "Z(2)×S(3)": lambda: groups.Z(2) * groups.S(3)}


@pytest.mark.parametrize("name", NAMED)
def test_orbit_and_character_certificates_agree_on_small_groups(name):
    G = NAMED[name]()
    V, S = reps.V(G), reps.Scalar(G)
    for rep_in, rep_out in [(V, V), (V ** 2 + S, V.T), (V * V.T, V ** 2 + V), (S, V ** 4)]:
        assert reps.certificate(rep_in, rep_out).method == "characters"
        assert equivariance.orbit_dimension(rep_in, rep_out) == reps.certificate(rep_in, rep_out).dimension


def declared(G):
    return groups.MatrixGroup(discrete_generators=G.discrete_generators, d=G.d)


def hyperoctahedral(n):
    """B(n), signed permutations of n coordinates: a transposition, an n-cycle, one sign flip."""
    swap = sympy.eye(n)[[1, 0] + list(range(2, n)), :]
    cycle = sympy.eye(n)[list(range(1, n)) + [0], :]
    return groups.MatrixGroup(discrete_generators=[swap, cycle, sympy.diag(-1, *[1] * (n - 1))])


def test_groups_too_large_to_enumerate_are_certified_by_orbits():
    s9, b7 = declared(groups.S(9)), hyperoctahedral(7)
    for G, counts in [(s9, {(1, 1): 2, (2, 2): 15, (2, 1): 5}), (b7, {(1, 1): 1, (2, 2): 4, (2, 1): 0})]:
        V = reps.V(G)
        for (a, b), expected in counts.items():
            with warnings.catch_warnings():
                warnings.simplefilter("error", CertificationWarning)
                B = reps.equivariant_basis(V ** a, V.T ** b, certify=True)
            assert len(B) == expected == reps.certified_dimension(V ** a, V.T ** b)
            assert reps.certificate(V ** a, V.T ** b).method == "orbits"
            assert reps.constraint_error(B, V ** a, V.T ** b) < 1e-10


def test_a_lost_orbit_map_is_caught():
    G = declared(groups.S(9))
    V = reps.V(G)
    reps.equivariant_basis(V, V)
    (key,) = [key for key in G.cache if key[0] == "invariants"]
    G.cache[key] = G.cache[key][1:]
    with pytest.raises(CertificationError, match=r"solver found 1 independent maps but the certified dimension "
                                                 r"is 2 \(orbits\)"):
        reps.equivariant_basis(V, V)


def test_beyond_the_tuple_limit_the_certificate_says_why():
    G = declared(groups.S(9))
    V = reps.V(G)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(orbit_count, "MAX_TUPLES", 9 ** 3)
        cert = reps.certificate(V ** 2, V ** 2)        # 6561 unknowns: no modular count either
        assert cert.dimension is None and cert.method == "none"
        assert "9^4 = 6561 index tuples" in cert.reason and "MAX_TUPLES = 729" in cert.reason
        with pytest.warns(CertificationWarning, match="not certified: .*9\\^4 = 6561 index tuples"):
            reps.equivariant_basis(V ** 2, V ** 2)
        with pytest.raises(CertificationError, match="not certified: .*MAX_TUPLES"):
            reps.equivariant_basis(V ** 2, V ** 2, certify=True)


def test_groups_of_other_matrices_get_no_orbit_count():
    assert orbit_count.signed_permutations(groups.SO(3)) is None
    c, s = np.cos(2 * np.pi / 5), np.sin(2 * np.pi / 5)
    F = groups.MatrixGroup(discrete_generators=[[[c, -s], [s, c]]])
    assert orbit_count.signed_permutations(F) is None
    assert equivariance.orbit_dimension(reps.V(F), reps.V(F)) is None
    cert = reps.certificate(reps.V(F), reps.V(F))
    assert cert.method == "none" and "not a finite group of (signed) permutation matrices" in cert.reason


def test_composite_certificates_name_every_method():
    G = declared(groups.S(9))
    H = groups.SO(3)
    R = reps.V(G) * reps.V(H)                  # an external product: S(9) by orbits, SO(3) by characters
    cert = reps.certificate(R, R)
    assert cert == reps.Certificate(2 * 1, "characters+orbits", "")
    assert len(reps.equivariant_basis(R, R, certify=True)) == 2


@given(signed_groups())
def test_signed_permutation_groups_are_enumerated_exactly(group):
    """``G.elements()`` of a group of signed permutation matrices (listed through sympy's
    permutations of ±e_i) is the closure of its generators, each element once, identity first."""
    perms, signs = group
    n = perms.shape[1]
    mats = []
    for p, s in zip(perms, signs):
        m = sympy.zeros(n, n)
        for i in range(n):
            m[p[i], i] = s[i]
        mats.append(m)
    els = groups.MatrixGroup(discrete_generators=mats).elements()
    expected = set()
    for p, s in closure([list(p) for p in perms], [list(s) for s in signs]):
        m = np.zeros((n, n))
        m[list(p), range(n)] = s
        expected.add(m.tobytes())
    assert len(els) == len(expected) == len({e.tobytes() for e in els})
    assert {e.tobytes() for e in els} == expected and np.array_equal(els[0], np.eye(n))
