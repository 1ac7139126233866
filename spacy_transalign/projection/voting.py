"""Corpus-level label consistency: one label per projected surface form.

Source taggers (and alignments) flip the type of the same name between sentences ("Mali" as
LOC here, ORG there). Projected spans are the only evidence in the target language, so when a
surface form was projected at least ``min_count`` times, every occurrence takes its majority
label (ties keep the first label seen). Boundaries are never changed.
"""
from __future__ import annotations

from typing import Dict, List, Sequence, Tuple

from ..evaluation import bio_spans
from .strategies import tags_from_spans


Span = Tuple[int, int, str]


def vote_span_labels(words: Sequence[Sequence[str]], spans: Sequence[List[Span]], min_count: int = 2) -> Tuple[List[List[Span]], int]:
    """Each sentence's words and entity spans -> the spans relabelled, and how many changed.

    A sentence whose spans all keep their label gets its own list back (not a copy)."""
    forms = {k: [" ".join(words[k][start:end]) for start, end, _ in found] for k, found in enumerate(spans) if found}
    votes: Dict[str, Dict[str, int]] = {}  # form -> label -> count, labels in order of first sight
    for k, sentence_forms in forms.items():
        for form, (_, _, label) in zip(sentence_forms, spans[k]):
            counts = votes.setdefault(form, {})
            counts[label] = counts.get(label, 0) + 1
    winners = {form: max(counts, key=counts.__getitem__) for form, counts in votes.items() if sum(counts.values()) >= min_count}
    relabelled, changed = list(spans), 0
    for k, sentence_forms in forms.items():
        new_spans = [(start, end, winners.get(form, label)) for form, (start, end, label) in zip(sentence_forms, spans[k])]
        if new_spans != spans[k]:
            changed += sum(new != old for new, old in zip(new_spans, spans[k]))
            relabelled[k] = new_spans
    return relabelled, changed


def vote_labels(sentences: Sequence[Tuple[Sequence[str], Sequence[str]]], min_count: int = 2) -> Tuple[List[List[str]], int]:
    """``(words, tags)`` per sentence -> relabelled tags, and how many spans changed label."""
    spans = [bio_spans(tags) for _, tags in sentences]
    relabelled, changed = vote_span_labels([words for words, _ in sentences], spans, min_count)
    tags = [list(tags) if new is old else tags_from_spans(len(tags), new) for (_, tags), old, new in zip(sentences, spans, relabelled)]
    return tags, changed
