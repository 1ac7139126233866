"""Projection strategies: BIO tags of one sentence -> BIO tags of its aligned counterpart.

A strategy is any callable ``(src_words, src_tags, tgt_words, alignment) -> Projection`` where
``alignment`` links source word ``i`` to target word ``j``. The two shipped here are registered
in spaCy's ``misc`` registry, so a config (or ``--strategy NAME``) can name a user's own.
"""

import difflib
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
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
    """Target tags plus, for every source entity, what became of it (msgpack-safe dicts)."""

    tags: List[str]
    outcomes: List[Dict] = field(default_factory=list)


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
    occur verbatim (or nearly, ``fuzzy_ratio``) in the target, that occurrence wins; otherwise
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
            return Projection(["O"] * n_tgt, [])
        folded = [_fold(w) for w in tgt_words] if self.string_match else []
        candidates = []  # (support, order, start, end, label, reason)
        outcomes: List[Dict] = []
        for order, (start, end, label) in enumerate(src_spans):
            outcomes.append(_outcome(start, end, label, None, NO_LINKS))
            links = self._links(src_words, tgt_words, alignment, start, end)
            found = self._string_match(src_words[start:end], folded, links) if self.string_match else None
            if found is not None:
                candidates.append((100 + end - start, order, found, found + end - start, label, STRING_MATCH))
                continue
            if links:
                support, first, last = self._best_run(links)
                candidates.append((support, order, first, last + 1, label, PROJECTED))
            elif any(alignment.targets_of(i) for i in range(start, end)):
                outcomes[order]["reason"] = AMBIGUOUS
        placed = []
        taken = [False] * n_tgt
        for support, order, start, end, label, reason in sorted(candidates, key=lambda c: (-c[0], c[1])):
            if self.case_rules:
                span = self._case_trim(tgt_words, start, end)
                if span is None:
                    outcomes[order]["reason"] = LOWERCASE
                    continue
                start, end = span
            if any(taken[start:end]):
                outcomes[order]["reason"] = OVERLAP
                continue
            for k in range(start, end):
                taken[k] = True
            placed.append([start, end, label, order, reason])
        if self.case_rules:
            self._extend_names(src_words, src_spans, tgt_words, placed, taken)
        for start, end, label, order, reason in placed:
            outcomes[order]["target"] = [start, end]
            outcomes[order]["reason"] = reason
        return Projection(tags_from_spans(n_tgt, [(s, e, lab) for s, e, lab, _, _ in placed]), outcomes)

    def _links(self, src_words, tgt_words, alignment, start, end) -> List[Tuple[int, int]]:
        links = []
        for i in range(start, end):
            if self.ignore_punct and is_punct(src_words[i]):
                continue
            for j in alignment.targets_of(i):
                if j >= len(tgt_words) or (self.ignore_punct and is_punct(tgt_words[j])):
                    continue
                sources = alignment.sources_of(j)
                inside = sum(1 for s in sources if start <= s < end)
                if inside / len(sources) >= self.min_purity:
                    links.append((i, j))
        return links

    def _string_match(self, entity_words, folded, links) -> Optional[int]:
        """Start of the (fuzzy) verbatim occurrence of the entity nearest its links, if any."""
        n = len(entity_words)
        if n == 0 or n > len(folded) or all(is_punct(w) for w in entity_words):
            return None
        wanted = [_fold(w) for w in entity_words]
        last = len(folded) - n
        hits = [k for k, w in enumerate(folded) if w == wanted[0] and k <= last and folded[k : k + n] == wanted]
        if not hits and self.fuzzy_ratio < 1.0:
            initial = wanted[0][:1]
            hits = [
                k for k, w in enumerate(folded[: last + 1])
                if w[:1] == initial and all(_similar(a, b, self.fuzzy_ratio) for a, b in zip(folded[k : k + n], wanted))
            ]
        if not hits:
            return None
        targets = [j for _, j in links]

        def closeness(k: int):
            inside = sum(1 for j in targets if k <= j < k + n)
            return inside, -min((abs(j - k) for j in targets), default=0), -k

        return max(hits, key=closeness)

    def _best_run(self, links) -> Tuple[int, int, int]:
        targets = sorted({j for _, j in links})
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
        if not any(w[:1].isupper() for w in words):
            return None if all(_is_lower(w) for w in words) else (start, end)
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
            wanted = sum(1 for w in src_words[src_start:src_end] if w[:1].isupper())
            if end - start >= wanted:
                continue
            if start > 1 and not taken[start - 1] and tgt_words[start - 1][:1].isupper() and not is_punct(tgt_words[start - 1]):
                span[0] = start - 1
                taken[start - 1] = True
            elif end < len(tgt_words) and not taken[end] and tgt_words[end][:1].isupper() and not is_punct(tgt_words[end]):
                span[1] = end + 1
                taken[end] = True


def _similar(a: str, b: str, ratio: float) -> bool:
    if not a or not b or a[0] != b[0] or abs(len(a) - len(b)) > max(len(a), len(b)) * (1 - ratio):
        return False
    return _ratio(a, b) >= ratio


@lru_cache(maxsize=65536)
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
