"""Symmetrising two directional alignments (Koehn et al.'s grow-diag-final heuristics)."""
from __future__ import annotations

from typing import Iterable, Literal, Set, Tuple

Link = Tuple[int, int]
Symmetrization = Literal["intersection", "union", "grow-diag", "grow-diag-final", "grow-diag-final-and"]
_NEIGHBOURS = [(-1, 0), (0, -1), (1, 0), (0, 1), (-1, -1), (-1, 1), (1, -1), (1, 1)]


def symmetrize(forward: Iterable[Link], backward: Iterable[Link], method: Symmetrization = "grow-diag-final-and") -> Set[Link]:
    """``forward`` and ``backward`` both as (source i, target j) links."""
    fwd, bwd = set(forward), set(backward)
    union = fwd | bwd
    if method == "union":
        return union
    links = fwd & bwd
    if method == "intersection":
        return links
    if method not in ("grow-diag", "grow-diag-final", "grow-diag-final-and"):
        raise ValueError(f"Unknown symmetrization {method!r}")
    aligned_src = {i for i, _ in links}
    aligned_tgt = {j for _, j in links}
    grown = True
    while grown:  # grow-diag: add neighbouring union links that cover an unaligned word
        grown = False
        for i, j in sorted(links):
            for di, dj in _NEIGHBOURS:
                cand = (i + di, j + dj)
                if cand in union and cand not in links and (cand[0] not in aligned_src or cand[1] not in aligned_tgt):
                    links.add(cand)
                    aligned_src.add(cand[0])
                    aligned_tgt.add(cand[1])
                    grown = True
    if method == "grow-diag":
        return links
    for direction in (fwd, bwd):  # final(-and): unaligned words take their directional links
        for i, j in sorted(direction):
            if method == "grow-diag-final-and":
                ok = i not in aligned_src and j not in aligned_tgt
            else:
                ok = i not in aligned_src or j not in aligned_tgt
            if ok:
                links.add((i, j))
                aligned_src.add(i)
                aligned_tgt.add(j)
    return links
