"""Projection strategies: BIO tags of one sentence -> BIO tags of its aligned counterpart.

A strategy is any callable ``(src_words, src_tags, tgt_words, alignment) -> Projection`` where
``alignment`` links source word ``i`` to target word ``j``. The two shipped here are registered
in spaCy's ``misc`` registry, so a config (or ``--strategy NAME``) can name a user's own. It is
only called for sentences with at least one source entity: without one there is nothing to
project, and the target is all ``O`` (most sentences of a corpus; their words are never read).
"""

import difflib
from bisect import bisect_left
from collections import Counter
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import compress, count
from operator import itemgetter
from typing import Callable, Dict, List, Optional, Protocol, Sequence, Tuple

from spacy.util import registry

from ..alignment import WordAlignment
from ..evaluation import bio_spans
from .hull import inside_tag, hull_tags, reference_entities

# outcome reasons, counted in summaries
PROJECTED = "projected"
STRING_MATCH = "projected_by_string_match"
NO_LINKS = "dropped_no_alignment"
AMBIGUOUS = "dropped_only_ambiguous_links"
OVERLAP = "dropped_overlap"
LOWERCASE = "dropped_lowercase_target"
OVERWRITTEN = "overwritten_by_later_entity"


@dataclass
class Projection:
    """Target tags plus, for every source entity, what became of it (msgpack-safe dicts).

    ``spans`` are the entities in ``tags`` as ``(start, end, label)``, when the strategy knows
    them already; otherwise :meth:`entity_spans` reads them from the tags once. Change the
    entities with :meth:`relabel`, which keeps the two in step."""

    tags: List[str]
    outcomes: List[Dict] = field(default_factory=list)
    spans: Optional[List[Tuple[int, int, str]]] = None

    @classmethod
    def nothing(cls, n_target: int) -> "Projection":
        """The projection of a sentence without source entities."""
        return cls(["O"] * n_target, [], [])

    def entity_spans(self) -> List[Tuple[int, int, str]]:
        if self.spans is None:
            self.spans = bio_spans(self.tags)
        return self.spans

    def relabel(self, spans: List[Tuple[int, int, str]]) -> None:
        """Replace the entities (same words, other labels, or other spans altogether)."""
        self.tags, self.spans = tags_from_spans(len(self.tags), spans), spans


class ProjectionStrategy(Protocol):
    def __call__(
        self, src_words: Sequence[str], src_tags: Sequence[str], tgt_words: Sequence[str], alignment: WordAlignment
    ) -> Projection: ...


def _outcome(start: int, end: int, label: str, target: Optional[Tuple[int, int]], reason: str) -> Dict:
    return {"source": [start, end], "label": label, "target": list(target) if target else None, "reason": reason}


def tags_from_spans(n: int, spans: Sequence[Tuple[int, int, str]]) -> List[str]:
    tags = ["O"] * n
    for start, end, label in spans:
        tags[start] = f"B-{label}"
        for k in range(start + 1, end):
            tags[k] = f"I-{label}"
    return tags


# --- TransAlign's reference ---------------------------------------------------------------
class HullProjection:
    """TransAlign's rule, label for label (see :mod:`.hull`)."""

    def __call__(self, src_words, src_tags, tgt_words, alignment) -> Projection:
        tags, placed = hull_tags(src_tags, len(tgt_words), alignment)
        outcomes = []
        for entity, target in placed:
            label = src_tags[entity[0]][2:]
            if target is None:
                reason = NO_LINKS
            else:  # intact when no later entity wrote over any of its words
                written = [src_tags[entity[0]]] + [inside_tag(src_tags, entity)] * (target[1] - target[0] - 1)
                reason = PROJECTED if tags[target[0] : target[1]] == written else OVERWRITTEN
            outcomes.append(_outcome(entity[0], entity[-1] + 1, label, target, reason))
        return Projection(tags, outcomes)


registry.misc.register("spacy-transalign.HullProjection.v1", func=HullProjection)



# --- the default ---------------------------------------------------------------------------
@lru_cache(maxsize=65536)
def is_punct(word: str) -> bool:
    return bool(word) and all(unicodedata.category(c)[0] in "PS" for c in word)


def _has_case(word: str) -> bool:
    return any(c.isupper() or c.islower() for c in word)


@lru_cache(maxsize=65536)
def _is_capitalised(word: str) -> bool:
    return word[:1].isupper()


@lru_cache(maxsize=65536)
def _is_lower(word: str) -> bool:
    return _has_case(word) and not word[:1].isupper()


@lru_cache(maxsize=65536)
def _fold(word: str) -> str:
    """Case- and accent-folded form, so 'Sogeli' meets 'Sogɛli' half way."""
    return "".join(c for c in unicodedata.normalize("NFKD", word.casefold()) if not unicodedata.combining(c))


@dataclass
class SupportProjection:
    """Projection that trusts the best-supported evidence instead of the widest hull.

    Per source entity: links to and from punctuation are ignored; a target word only counts
    when *all* its links come from inside the entity (``min_purity``); if the entity's words
    occur verbatim (or nearly, ``fuzzy_ratio``; a capitalised name starting at a capitalised
    word) in the target, the occurrence nearest the entity's links wins; otherwise
    the aligned target words are split into runs (gaps up to ``max_gap``) and the run with the
    most links is kept. Overlaps go to the better-supported entity, not the later one. In cased
    scripts, lowercase words at a span's edges are trimmed, all-lowercase spans dropped, and a
    span shorter than its capitalised source name grows over adjacent capitalised words.
    """

    ignore_punct: bool = True
    min_purity: float = 1.0
    max_gap: int = 2
    string_match: bool = True
    fuzzy_ratio: float = 0.8
    case_rules: bool = True

    def __call__(self, src_words, src_tags, tgt_words, alignment) -> Projection:
        n_tgt = len(tgt_words)
        src_spans = bio_spans(src_tags)
        if not src_spans:
            return Projection.nothing(n_tgt)
        all_targets = Counter(map(itemgetter(1), alignment.pairs))
        capitals: Dict[str, List[int]] = {}  # see _verbatim
        candidates = []  # (support, order, start, end, label, reason)
        reasons = [NO_LINKS] * len(src_spans)
        for order, (start, end, label) in enumerate(src_spans):
            entity_links = alignment.links_from(start, end)
            window = _search_window(start, len(src_words), n_tgt, entity_links)
            hits = self._verbatim(src_words[start:end], tgt_words, capitals, window) if self.string_match else None
            if hits:  # of several occurrences, the one nearest the entity's links
                found = hits[0] if len(hits) == 1 else _nearest(hits, end - start, self._links(src_words, tgt_words, entity_links, all_targets))
                candidates.append((100 + end - start, order, found, found + end - start, label, STRING_MATCH))
                continue
            links = self._links(src_words, tgt_words, entity_links, all_targets) if entity_links else entity_links
            if links:
                support, first, last = self._best_run(links)
                candidates.append((support, order, first, last + 1, label, PROJECTED))
            elif entity_links:
                reasons[order] = AMBIGUOUS
        if len(candidates) > 1:
            candidates.sort(key=lambda c: (-c[0], c[1]))
        placed = []
        taken = [False] * n_tgt
        for support, order, start, end, label, reason in candidates:
            if self.case_rules:
                span = self._case_trim(tgt_words, start, end)
                if span is None:
                    reasons[order] = LOWERCASE
                    continue
                start, end = span
            if True in taken[start:end]:
                reasons[order] = OVERLAP
                continue
            taken[start:end] = [True] * (end - start)
            placed.append([start, end, label, order, reason])
        if self.case_rules:
            self._extend_names(src_words, src_spans, tgt_words, placed, taken)
        targets: List[Optional[Tuple[int, int]]] = [None] * len(src_spans)
        for start, end, label, order, reason in placed:
            targets[order] = (start, end)
            reasons[order] = reason
        outcomes = [_outcome(s, e, lab, t, r) for (s, e, lab), t, r in zip(src_spans, targets, reasons)]
        spans = sorted((s, e, lab) for s, e, lab, _, _ in placed)
        return Projection(tags_from_spans(n_tgt, spans), outcomes, spans)

    def _links(self, src_words, tgt_words, entity_links, all_targets) -> List[Tuple[int, int]]:
        """The entity's links that survive the punctuation and purity filters (the share of a
        target word's links that come from inside the entity is its purity)."""
        n_tgt, punct = len(tgt_words), self.ignore_punct
        entity_targets = Counter(map(itemgetter(1), entity_links))
        return [
            (i, j) for i, j in entity_links
            if j < n_tgt
            and not (punct and (is_punct(src_words[i]) or is_punct(tgt_words[j])))
            and entity_targets[j] / all_targets[j] >= self.min_purity
        ]

    def _verbatim(self, entity_words, tgt_words, capitals, window: Tuple[int, int]) -> List[int]:
        """Starts of the entity's (fuzzy) verbatim occurrences in the target, within ``window``.

        A capitalised name only matches at a capitalised target word with the same first letter
        (``capitals``: folded first letter -> positions, built on first use): the same F1 on the
        Bambara data as trying every word, at a fraction of the cost."""
        n = len(entity_words)
        if n == 0 or n > len(tgt_words):
            return []
        lo, hi = window[0], min(window[1], len(tgt_words) - n + 1)  # hi: last possible start + 1
        if _is_capitalised(entity_words[0]):
            if not capitals:
                capitals[""] = []  # marks the index as built
                for k in compress(count(), map(_is_capitalised, tgt_words)):
                    capitals.setdefault(_fold(tgt_words[k])[:1], []).append(k)
            positions = capitals.get(_fold(entity_words[0])[:1], [])
            starts = positions[bisect_left(positions, lo) : bisect_left(positions, hi)]
        else:
            starts = range(lo, hi)
        if not starts or all(map(is_punct, entity_words)):
            return []
        first, *rest = map(_fold, entity_words)
        hits = [k for k in starts if _fold(tgt_words[k]) == first and list(map(_fold, tgt_words[k + 1 : k + n])) == rest]
        if not hits and self.fuzzy_ratio < 1.0 and first:
            ratio = [self.fuzzy_ratio] * n
            hits = [
                k for k in starts
                if _similar(_fold(tgt_words[k]), first, ratio[0])
                and all(map(_similar, map(_fold, tgt_words[k + 1 : k + n]), rest, ratio))
            ]
        return hits

    def _best_run(self, links) -> Tuple[int, int, int]:
        targets = sorted(set(map(itemgetter(1), links)))
        if targets[-1] - targets[0] <= 1 + self.max_gap:  # one run (the usual case)
            return len(links), targets[0], targets[-1]
        runs = [[targets[0], targets[0]]]
        for j in targets[1:]:
            if j - runs[-1][1] <= 1 + self.max_gap:
                runs[-1][1] = j
            else:
                runs.append([j, j])
        scored = [(sum(1 for _, j in links if first <= j <= last), -first, first, last) for first, last in runs]
        support, _, first, last = max(scored)
        return support, first, last

    @staticmethod
    def _case_trim(tgt_words, start, end) -> Optional[Tuple[int, int]]:
        words = tgt_words[start:end]
        if not any(map(_is_capitalised, words)):
            return None if all(map(_is_lower, words)) else (start, end)
        while _is_lower(tgt_words[start]):
            start += 1
        while _is_lower(tgt_words[end - 1]):
            end -= 1
        return start, end

    @staticmethod
    def _extend_names(src_words, spans, tgt_words, placed, taken) -> None:
        """Grow a span by one capitalised neighbour when its source name has more capitalised words."""
        for span in placed:
            start, end, _, order, _ = span
            src_start, src_end, _ = spans[order]
            wanted = sum(map(_is_capitalised, src_words[src_start:src_end]))
            if end - start >= wanted:
                continue
            if start > 1 and not taken[start - 1] and tgt_words[start - 1][:1].isupper() and not is_punct(tgt_words[start - 1]):
                span[0] = start - 1
                taken[start - 1] = True
            elif end < len(tgt_words) and not taken[end] and tgt_words[end][:1].isupper() and not is_punct(tgt_words[end]):
                span[1] = end + 1
                taken[end] = True


SEARCH_WINDOW = 100  # words on either side; whole sentences up to twice this are searched


def _search_window(start: int, n_src: int, n_tgt: int, entity_links: List[Tuple[int, int]]) -> Tuple[int, int]:
    """Where string matching looks for an entity: the whole target sentence, unless it is long;
    then around the entity's links (or, without links, around its relative position). This keeps
    the default strategy linear in sentence length: a 100k-word "sentence" would otherwise take
    minutes (every entity scanning every word)."""
    if n_tgt <= 2 * SEARCH_WINDOW:
        return 0, n_tgt
    if entity_links:
        targets = [j for _, j in entity_links]
        first, last = min(targets), max(targets)
    else:
        first = last = start * n_tgt // max(n_src, 1)
    return max(0, first - SEARCH_WINDOW), last + SEARCH_WINDOW


def _nearest(starts: List[int], n: int, links: List[Tuple[int, int]]) -> int:
    """The start whose ``n`` words hold most of the links, then the closest one, then the first."""
    targets = [j for _, j in links]

    def closeness(k: int):
        inside = sum(1 for j in targets if k <= j < k + n)
        return inside, -min((abs(j - k) for j in targets), default=0), -k

    return max(starts, key=closeness)


@lru_cache(maxsize=65536)
def _similar(a: str, b: str, ratio: float) -> bool:
    if not a or not b or a[0] != b[0] or abs(len(a) - len(b)) > max(len(a), len(b)) * (1 - ratio):
        return False
    return _ratio(a, b) >= ratio


def _ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()


registry.misc.register("spacy-transalign.SupportProjection.v1", func=SupportProjection)



STRATEGIES: Dict[str, str] = {
    "hull": "spacy-transalign.HullProjection.v1",
    "support": "spacy-transalign.SupportProjection.v1",
}


def get_strategy(name: str) -> Callable[..., Projection]:
    """``hull``, ``support`` or the name of any function registered in ``misc``."""
    if name in BUILT_IN:  # no registry lookup: catalogue scans entry points on every get()
        return BUILT_IN[name]()
    try:
        factory = registry.misc.get(STRATEGIES.get(name, name))
    except Exception as err:
        raise ValueError(f"Unknown projection strategy {name!r}: use {', '.join(STRATEGIES)} or a registered name") from err
    return factory()


BUILT_IN: Dict[str, Callable[[], Callable[..., Projection]]] = {"hull": HullProjection, "support": SupportProjection}


__all__ = ["Projection", "HullProjection", "SupportProjection", "get_strategy", "reference_entities", "tags_from_spans"]
