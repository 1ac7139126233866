"""Agreement between independent views of the same sentence: silver data from votes.

Projected data is noisy in ways that differ by route: a forward model trained on translated
text misses target-language names, reverse projection inherits the English tagger's errors and
the back-translation's, markers get lost. Where enough views propose the same span with the same
label, it is kept; the words of a span proposed by too few views become *missing* rather than
``O`` (those outside a kept span), so a tagger trained on the result is not taught that a likely
name, or the rest of a longer one, is not one. Words no view tags stay ``O``.
"""
from __future__ import annotations

from collections import Counter
from typing import List, Sequence, Tuple

from spacy.tokens import Doc

Span = Tuple[int, int, str]


def agree(views: Sequence[Sequence[Span]], min_votes: int) -> Tuple[List[Span], List[Tuple[int, int]]]:
    """Spans proposed (same boundaries, same label) by at least ``min_votes`` views, and as
    missing every other word that some view proposed as (part of) a name, in runs of adjacent
    words. Kept spans never overlap. A weaker span that overlaps a kept one leaves its other
    words missing, not ``O``: in "Consejo por la Paz", kept "Consejo" must not teach that
    "por la Paz", which a view took for part of the name, is not one."""
    if min_votes < 1:
        raise ValueError(f"min_votes must be at least 1, got {min_votes}")
    counts = Counter(span for view in views for span in set(view))
    # most votes first, then longest, then leftmost: the order in which overlaps are resolved
    ranked = sorted(counts, key=lambda s: (-counts[s], s[0] - s[1], s[0], s[2]))
    kept: List[Span] = []
    taken = set()
    for start, end, label in ranked:
        if counts[(start, end, label)] < min_votes:
            break
        if not taken.intersection(range(start, end)):
            kept.append((start, end, label))
            taken.update(range(start, end))
    unsure = sorted({i for start, end, _ in counts for i in range(start, end)} - taken)
    missing: List[Tuple[int, int]] = []
    for i in unsure:
        if missing and missing[-1][1] == i:
            missing[-1] = (missing[-1][0], i + 1)
        else:
            missing.append((i, i + 1))
    return sorted(kept), missing


def set_agreed_ents(doc: Doc, views: Sequence[Sequence[Span]], min_votes: int) -> Tuple[int, int]:
    """Set ``doc.ents`` from :func:`agree`: kept spans as entities, the rest missing, other words
    ``O``. Returns (entities kept, words marked missing)."""
    kept, missing = agree(views, min_votes)
    ents = [doc.char_span(doc[s].idx, doc[e - 1].idx + len(doc[e - 1]), label=label) for s, e, label in kept]
    unsure = [doc[s:e] for s, e in missing]
    doc.set_ents(ents, missing=unsure, default="outside")
    return len(ents), sum(len(span) for span in unsure)


def doc_spans(doc: Doc) -> List[Span]:
    return [(ent.start, ent.end, ent.label_) for ent in doc.ents]
