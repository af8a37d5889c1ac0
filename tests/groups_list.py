"""The shared list of groups the group/rep/basis tests parametrize over (ids from str)."""

from symgen import groups

GROUPS = [
    groups.SO(2), groups.SO(3), groups.O(2), groups.O(3), groups.SO(4), groups.O(4),
    groups.O(1, 3), groups.SO(1, 3), groups.O(2, 1), groups.SE(2), groups.SE(3), groups.E(2),
    groups.SL(2), groups.SL(3), groups.GL(2), groups.GL(3), groups.Sp(2), groups.Sp(4),
    groups.S(3), groups.S(5), groups.Z(4), groups.D(3), groups.D(4),
    groups.SO(2) * groups.S(3), groups.O(3) * groups.Z(3),
    groups.SU(2), groups.SU(3), groups.U(2), groups.C(4), groups.C(5), groups.D(3, action="plane"),
]
IDS = [str(G) for G in GROUPS]
