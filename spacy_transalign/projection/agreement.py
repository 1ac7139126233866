"""Agreement between independent views of the same sentence: silver data from votes.

Projected data is noisy in ways that differ by route: a forward model trained on translated
text misses target-language names, reverse projection inherits the English tagger's errors and
the back-translation's, markers get lost. Where enough views propose the same span with the same
label, it is kept; a span proposed by too few views becomes *missing* rather than ``O``, so a
tagger trained on the result is not taught that a likely name is not one. Words no view tags
stay ``O``.
"""
from __future__ import annotations

from collections import Counter
from typing import List, Sequence, Tuple

from spacy.tokens import Doc
from spacy.util import filter_spans

Span = Tuple[int, int, str]


def agree(views: Sequence[Sequence[Span]], min_votes: int) -> Tuple[List[Span], List[Tuple[int, int]]]:
    """Spans proposed (same boundaries, same label) by at least ``min_votes`` views, and the
    word ranges of the others as missing. Kept spans never overlap; a missing range that
    overlaps a kept span is left out (the kept span decides those words)."""
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
    missing = sorted({(s, e) for s, e, _ in counts if not taken.intersection(range(s, e))} - {(s, e) for s, e, _ in kept})
    return sorted(kept), missing


def set_agreed_ents(doc: Doc, views: Sequence[Sequence[Span]], min_votes: int) -> Tuple[int, int]:
    """Set ``doc.ents`` from :func:`agree`: kept spans as entities, the rest missing, other words
    ``O``. Returns (entities kept, words marked missing)."""
    kept, missing = agree(views, min_votes)
    ents = [doc.char_span(doc[s].idx, doc[e - 1].idx + len(doc[e - 1]), label=label) for s, e, label in kept]
    unsure = filter_spans([doc[s:e] for s, e in missing])
    doc.set_ents(ents, missing=unsure, default="outside")
    return len(ents), sum(len(span) for span in unsure)


def doc_spans(doc: Doc) -> List[Span]:
    return [(ent.start, ent.end, ent.label_) for ent in doc.ents]
