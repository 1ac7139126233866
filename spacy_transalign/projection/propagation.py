"""Corpus-level propagation: a name tagged in most of the sentences that decide on it is tagged in
all of them.

Agreement silver leaves a name *missing* wherever its views disagree, and a view that misses a
name in one sentence often tags it in another. In news text a capitalised surface form is, with
few exceptions, the same kind of name throughout a corpus ("one sense per discourse"). So a form
that was tagged at least ``min_count`` times, in at least ``min_ratio`` of its occurrences that
are not missing, with one label in at least ``min_agreement`` of those, is tagged with that label
at every occurrence that is ``O`` or missing, where no other entity touches it. Longer forms
win, left to right. In a cased script only forms that start with an upper-case letter count
(lower-case words are too often ordinary words); uncased scripts have no such filter.
"""
from __future__ import annotations

from collections import Counter
from typing import Dict, Iterable, List, Sequence, Tuple

from spacy.tokens import Doc, Span

Form = Tuple[str, ...]


def _looks_like_a_name(form: Form) -> bool:
    first = form[0][:1]
    return first.isupper() or first.lower() == first.upper()  # upper-case, or a script without case


def _decided(doc: Doc, start: int, end: int) -> bool:
    return all(token.ent_iob_ != "" for token in doc[start:end])


def propagation_table(docs: Sequence[Doc], min_count: int = 2, min_ratio: float = 0.5, min_agreement: float = 0.7) -> Dict[Form, str]:
    """Forms to tag everywhere and their labels, from the entities already in ``docs``."""
    labels: Dict[Form, Counter] = {}
    for doc in docs:
        for ent in doc.ents:
            labels.setdefault(tuple(t.text for t in ent), Counter())[ent.label_] += 1
    if not labels:
        return {}
    longest = max(len(form) for form in labels)
    occurrences: Counter = Counter()
    for doc in docs:
        words = [t.text for t in doc]
        for start in range(len(words)):
            for end in range(start + 1, min(start + longest, len(words)) + 1):
                form = tuple(words[start:end])
                if form in labels and _decided(doc, start, end):
                    occurrences[form] += 1
    table = {}
    for form, counts in labels.items():
        tagged = sum(counts.values())
        label, top = counts.most_common(1)[0]
        if tagged >= min_count and tagged >= min_ratio * occurrences[form] and top >= min_agreement * tagged and _looks_like_a_name(form):
            table[form] = label
    return table


def propagate(docs: Iterable[Doc], table: Dict[Form, str]) -> int:
    """Tag the ``O`` or missing occurrences of the table's forms in place; returns how many."""
    if not table:
        return 0
    longest = max(len(form) for form in table)
    added = 0
    for doc in docs:
        words = [t.text for t in doc]
        free = [t.ent_iob_ in ("O", "") for t in doc]
        new: List = []
        start = 0
        while start < len(words):
            for end in range(min(start + longest, len(words)), start, -1):
                form = tuple(words[start:end])
                if form in table and all(free[start:end]):
                    new.append(Span(doc, start, end, label=table[form]))
                    start = end
                    break
            else:
                start += 1
        if new:
            doc.set_ents(new, default="unmodified")
            added += len(new)
    return added
