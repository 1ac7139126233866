"""WordAlignment: the links between the words of a sentence and its translation.

A plain, immutable value (sorted pairs of 0-based word indices plus optional scores) so it can
be compared, stored in ``doc.user_data`` and written as Pharaoh text without surprises.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from collections import defaultdict
from operator import itemgetter
from typing import Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

import numpy as np

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

    def links_from(self, start: int, end: int) -> List[Pair]:
        """Links of source words ``start`` to ``end - 1`` (a span), found by bisection: cheaper
        than building the lookup tables when a sentence has one or two entities."""
        lo = bisect_left(self.pairs, (start,))
        return self.pairs[lo : bisect_left(self.pairs, (end,), lo)]

    def targets_of(self, i: int) -> List[int]:
        return self.by_source.get(i, [])

    def sources_of(self, j: int) -> List[int]:
        return self.by_target.get(j, [])

    def inverted(self) -> "WordAlignment":
        """The same links seen from the other side: ``(j, i)``."""
        flipped = list(zip(map(itemgetter(1), self.pairs), map(itemgetter(0), self.pairs)))
        if self.scores is None:
            return WordAlignment._trusted(sorted(flipped))
        order = sorted(range(len(flipped)), key=flipped.__getitem__)
        return WordAlignment._trusted([flipped[k] for k in order], [self.scores[k] for k in order])

    # --- Pharaoh text --------------------------------------------------------------------
    def to_pharaoh(self, index_base: int = 0) -> str:
        return " ".join(f"{i + index_base}-{j + index_base}" for i, j in self.pairs)

    @classmethod
    def from_pharaoh(cls, line: str, index_base: int = 0, inverse: bool = False) -> "WordAlignment":
        """Read ``"0-1 2-3"`` (``ipj`` possible links count as links); ``inverse`` reads ``j-i``."""
        if _PLAIN_LINE.fullmatch(line):  # the fast path: only plain 'i-j' links
            numbers = list(map(int, line.replace("-", " ").split()))
            sources, targets = numbers[0::2], numbers[1::2]
            pairs = set(zip(targets, sources) if inverse else zip(sources, targets))
        else:
            pairs = {_parse_link(item, line) for item in line.split()}
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


_PLAIN_LINE = re.compile(r"\s*+(?:[0-9]++-[0-9]++\s++)*+(?:[0-9]++-[0-9]++)?+\s*+")


def _parse_link(item: str, line: str) -> Pair:
    left, sep, right = item.partition("-")
    if not sep:
        left, _, right = item.partition("p")
    if not (left.isdecimal() and right.isdecimal()):
        raise AlignmentFormatError(f"Malformed alignment link {item!r} in line {line.strip()!r}")
    return int(left), int(right)


def read_pharaoh_file(path, index_base: int = 0, inverse: bool = False, encoding: str = "utf-8") -> List[WordAlignment]:
    """One alignment per line; an optional ``<id>\\t`` prefix (TransAlign's layout) is skipped."""
    from .files import read_text

    text = read_text(path, encoding)
    pairs = _parse_plain_file(text, index_base, inverse)
    if pairs is not None:
        return [WordAlignment._trusted(line_pairs) for line_pairs in pairs]
    alignments = []
    for line_no, line in enumerate(text.split("\n")[: _count_lines(text)], start=1):
        if "\t" in line:
            line = line.split("\t", 1)[1]
        try:
            alignments.append(WordAlignment.from_pharaoh(line, index_base=index_base, inverse=inverse))
        except AlignmentFormatError as err:
            raise AlignmentFormatError(f"{path}, line {line_no}: {err}") from None
    return alignments


def _count_lines(text: str) -> int:
    return text.count("\n") + (0 if not text or text.endswith("\n") else 1)


_LINKS = r" *+(?:[0-9]++-[0-9]++ ++)*+(?:[0-9]++-[0-9]++)?+\n"
_NUMBERED_LINES = re.compile(rf"(?:(?:[0-9]++\t)?+{_LINKS})*+")  # TransAlign's "<n>\\t" prefix
_PLAIN_LINES = re.compile(rf"(?:{_LINKS})*+")
_ID_PREFIX = re.compile(r"^[^\t\n]*\t", re.M)
_BITS = 21  # per index in the sort key: (line, first, second) packed into one int64


def _parse_plain_file(text: str, index_base: int, inverse: bool) -> Optional[List[List[Pair]]]:
    """Whole-file parsing with numpy for files of plain ``i-j`` links (the usual case): one sort
    for all lines instead of a Python loop per link. None for anything else (``p`` links,
    malformed lines, indices or line counts of 2**21 and more), which the line-by-line reader
    handles or reports."""
    n_lines = _count_lines(text)
    body = text if text.endswith("\n") else text + "\n"
    if n_lines >= 1 << _BITS:
        return None
    if _NUMBERED_LINES.fullmatch(body) is None:  # other ids, or tabs between links
        body = _ID_PREFIX.sub("", body).replace("\t", " ")
        if _PLAIN_LINES.fullmatch(body) is None:
            return None
    # numbers only: a line id becomes the pseudo-link (id, -2), a line end (-1, -1)
    numbers = body.replace("-", " ").replace("\t", " -2 ").replace("\n", " -1 -1 ")
    flat = np.fromstring(numbers, dtype=np.int64, sep=" ")
    left, right = flat[0::2], flat[1::2]
    ends, links = right == -1, right >= 0
    line = (np.cumsum(ends) - ends)[links]
    left, right = left[links] - index_base, right[links] - index_base
    if inverse:
        left, right = right, left
    if len(left) and (min(left.min(), right.min()) < 0 or max(left.max(), right.max()) >= 1 << _BITS):
        return None
    keys = np.sort((line << 2 * _BITS) | (left << _BITS) | right)
    if len(keys) > 1:
        keys = keys[np.concatenate(([True], keys[1:] != keys[:-1]))]
    mask = (1 << _BITS) - 1
    pairs = list(zip(((keys >> _BITS) & mask).tolist(), (keys & mask).tolist()))
    bounds = np.searchsorted(keys >> 2 * _BITS, np.arange(n_lines + 1)).tolist()
    return [pairs[bounds[k] : bounds[k + 1]] for k in range(n_lines)]
