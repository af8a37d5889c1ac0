"""Orbits of permutation groups on multi-indices: the head/tail labelling against the
connected components of the full graph ``x → p·x``."""

import numpy as np
import pytest
import scipy.sparse
from hypothesis import given, strategies as st
from scipy.sparse.csgraph import connected_components

from symgen.algebra.groups import partitions


def components(perms, n, K):
    """The reference: components of the graph on all ``n^K`` multi-indices, numbered by first index."""
    size = n ** K
    idx = np.array(np.unravel_index(np.arange(size), (n,) * K))
    graph = scipy.sparse.lil_matrix((size, size))
    for p in perms:
        graph[np.arange(size), np.ravel_multi_index(tuple(np.asarray(p)[idx]), (n,) * K)] = 1
    return connected_components(graph.tocsr(), directed=True, connection="weak")


permutations = st.integers(2, 6).flatmap(lambda n: st.tuples(
    st.just(n), st.lists(st.permutations(list(range(n))), min_size=1, max_size=3)))


@given(permutations, st.integers(2, 4), st.integers(0, 40))
def test_orbit_labels_match_the_components_of_the_full_graph(group, K, sample):
    n, perms = group
    with pytest.MonkeyPatch.context() as m:
        m.setattr(partitions, "DIRECT_INDEX", 1)              # always split into head and tail
        m.setattr(partitions, "SCHREIER_SAMPLE", max(1, sample))   # short samples exercise the merge
        k, label = partitions.orbit_labels([np.array(p) for p in perms], n, K)
    k_ref, label_ref = components(perms, n, K)
    assert k == k_ref
    np.testing.assert_array_equal(label, label_ref)


def test_orbit_indicators_are_the_labels_as_rows():
    perms = [np.array([1, 2, 0, 4, 3])]
    rows = partitions.orbits(perms, 5, 3)
    k, label = partitions.orbit_labels(perms, 5, 3)
    assert rows.shape == (k, 125) and np.all(rows.sum(axis=0) == 1)
    np.testing.assert_array_equal(rows.argmax(axis=0).A1, label)
