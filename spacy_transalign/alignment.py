"""WordAlignment: the links between the words of a sentence and its translation.

A plain, immutable value (sorted pairs of 0-based word indices plus optional scores) so it can
be compared, stored in ``doc.user_data`` and written as Pharaoh text without surprises.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

Pair = Tuple[int, int]


class AlignmentFormatError(ValueError):
    """A Pharaoh alignment line could not be read."""


class WordAlignment:
    """Sorted, de-duplicated links ``(source_i, target_j)`` with optional per-link scores."""

    __slots__ = ("pairs", "scores", "_by_source", "_by_target")

    def __init__(self, pairs: Iterable[Sequence[int]] = (), scores: Optional[Iterable[float]] = None):
        raw = [(int(i), int(j)) for i, j in pairs]
        if any(i < 0 or j < 0 for i, j in raw):
            raise ValueError(f"Word indices must be >= 0, got {[p for p in raw if min(p) < 0][:3]}")
        if scores is None:
            self.pairs: List[Pair] = sorted(set(raw))
            self.scores: Optional[List[float]] = None
        else:
            score_list = [float(s) for s in scores]
            if len(score_list) != len(raw):
                raise ValueError(f"{len(raw)} pairs but {len(score_list)} scores")
            best: Dict[Pair, float] = {}
            for pair, score in zip(raw, score_list):
                best[pair] = max(score, best.get(pair, score))
            self.pairs = sorted(best)
            self.scores = [best[p] for p in self.pairs]
        self._by_source: Optional[Dict[int, List[int]]] = None
        self._by_target: Optional[Dict[int, List[int]]] = None

    @classmethod
    def _trusted(cls, pairs: List[Pair], scores: Optional[List[float]] = None) -> "WordAlignment":
        """Wrap pairs that are already sorted, unique, non-negative int tuples (no re-checking)."""
        alignment = cls.__new__(cls)
        alignment.pairs, alignment.scores = pairs, scores
        alignment._by_source = alignment._by_target = None
        return alignment

    # --- lookups -------------------------------------------------------------------------
    @property
    def by_source(self) -> Dict[int, List[int]]:
        """Source word index -> sorted target word indices."""
        if self._by_source is None:
            table: Dict[int, List[int]] = defaultdict(list)
            for i, j in self.pairs:
                table[i].append(j)
            self._by_source = dict(table)
        return self._by_source

    @property
    def by_target(self) -> Dict[int, List[int]]:
        """Target word index -> sorted source word indices."""
        if self._by_target is None:
            table: Dict[int, List[int]] = defaultdict(list)
            for i, j in self.pairs:  # pairs are sorted by i, so each list comes out sorted
                table[j].append(i)
            self._by_target = dict(table)
        return self._by_target

    def targets_of(self, i: int) -> List[int]:
        return self.by_source.get(i, [])

    def sources_of(self, j: int) -> List[int]:
        return self.by_target.get(j, [])

    def inverted(self) -> "WordAlignment":
        """The same links seen from the other side: ``(j, i)``."""
        order = sorted(range(len(self.pairs)), key=lambda k: (self.pairs[k][1], self.pairs[k][0]))
        scores = None if self.scores is None else [self.scores[k] for k in order]
        return WordAlignment._trusted([(self.pairs[k][1], self.pairs[k][0]) for k in order], scores)

    # --- Pharaoh text --------------------------------------------------------------------
    def to_pharaoh(self, index_base: int = 0) -> str:
        return " ".join(f"{i + index_base}-{j + index_base}" for i, j in self.pairs)

    @classmethod
    def from_pharaoh(cls, line: str, index_base: int = 0, inverse: bool = False) -> "WordAlignment":
        """Read ``"0-1 2-3"`` (``ipj`` possible links count as links); ``inverse`` reads ``j-i``."""
        items = line.split()
        try:  # the fast path: exactly one '-' per link, integers on both sides
            if line.count("-") != len(items):
                raise ValueError
            numbers = list(map(int, line.replace("-", " ").split()))
            if len(numbers) != 2 * len(items):  # "1-": a side is missing
                raise ValueError
            sources, targets = numbers[0::2], numbers[1::2]
            pairs = set(zip(targets, sources) if inverse else zip(sources, targets))
        except ValueError:
            pairs = {_parse_link(item, line) for item in items}
            if inverse:
                pairs = {(j, i) for i, j in pairs}
        if index_base:
            pairs = {(i - index_base, j - index_base) for i, j in pairs}
            if pairs and min(map(min, pairs)) < 0:
                raise AlignmentFormatError(
                    f"Negative index after applying index base {index_base} in line {line.strip()!r}"
                )
        return cls._trusted(sorted(pairs))

    # --- plain-data round trip (msgpack) ---------------------------------------------------
    def to_dict(self) -> dict:
        return {
            "src": [i for i, _ in self.pairs],
            "tgt": [j for _, j in self.pairs],
            "scores": self.scores,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "WordAlignment":
        return cls(zip(data["src"], data["tgt"]), scores=data.get("scores"))

    # --- dunder --------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.pairs)

    def __iter__(self) -> Iterator[Pair]:
        return iter(self.pairs)

    def __contains__(self, pair: object) -> bool:
        return pair in set(self.pairs)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, WordAlignment):
            return NotImplemented
        return self.pairs == other.pairs and self.scores == other.scores

    def __repr__(self) -> str:
        shown = self.to_pharaoh() if len(self.pairs) <= 12 else self.to_pharaoh()[:60] + " ..."
        return f"WordAlignment({len(self.pairs)} links: {shown})"


def _parse_link(item: str, line: str) -> Pair:
    left, sep, right = item.partition("-")
    if not sep:
        left, _, right = item.partition("p")
    if not (left.isdigit() and right.isdigit()):
        raise AlignmentFormatError(f"Malformed alignment link {item!r} in line {line.strip()!r}")
    return int(left), int(right)


def read_pharaoh_file(path, index_base: int = 0, inverse: bool = False) -> List[WordAlignment]:
    """One alignment per line; an optional ``<id>\\t`` prefix (TransAlign's layout) is skipped."""
    alignments = []
    with open(path, encoding="utf-8") as f:
        for line_no, line in enumerate(f, start=1):
            line = line.rstrip("\n")
            if "\t" in line:
                line = line.split("\t", 1)[1]
            try:
                alignments.append(WordAlignment.from_pharaoh(line, index_base=index_base, inverse=inverse))
            except AlignmentFormatError as err:
                raise AlignmentFormatError(f"{path}, line {line_no}: {err}") from None
    return alignments
