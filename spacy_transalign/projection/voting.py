"""Corpus-level label consistency: one label per projected surface form.

Source taggers (and alignments) flip the type of the same name between sentences ("Mali" as
LOC here, ORG there). Projected spans are the only evidence in the target language, so when a
surface form was projected at least ``min_count`` times, every occurrence takes its majority
label (ties keep the first label seen). Boundaries are never changed. Over a sharded corpus the
same vote is a map (:func:`count_labels` per shard), a reduce (:func:`merge_label_counts`) and
a relabelling with :func:`vote_winners`.
"""
from __future__ import annotations

from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from ..evaluation import bio_spans
from .strategies import tags_from_spans


Span = Tuple[int, int, str]


LabelCounts = Dict[str, Dict[str, int]]  # form -> label -> count, labels in order of first sight


def count_labels(pairs: Iterable[Tuple[str, str]], counts: Optional[LabelCounts] = None) -> LabelCounts:
    """Add ``(form, label)`` pairs to ``counts`` (a new table when None): the map step."""
    counts = {} if counts is None else counts
    for form, label in pairs:
        by_label = counts.setdefault(form, {})
        by_label[label] = by_label.get(label, 0) + 1
    return counts


def merge_label_counts(parts: Iterable[LabelCounts]) -> LabelCounts:
    """The reduce step: tables of several shards, in corpus order, as one (first sight kept)."""
    merged: LabelCounts = {}
    for part in parts:
        for form, by_label in part.items():
            into = merged.setdefault(form, {})
            for label, n in by_label.items():
                into[label] = into.get(label, 0) + n
    return merged


def vote_winners(counts: LabelCounts, min_count: int = 2) -> Dict[str, str]:
    """Majority label of every form seen at least ``min_count`` times (ties: first seen)."""
    return {form: max(by_label, key=by_label.__getitem__) for form, by_label in counts.items() if sum(by_label.values()) >= min_count}


def vote_span_labels(words: Sequence[Sequence[str]], spans: Sequence[List[Span]], min_count: int = 2) -> Tuple[List[List[Span]], int]:
    """Each sentence's words and entity spans -> the spans relabelled, and how many changed.

    A sentence whose spans all keep their label gets its own list back (not a copy)."""
    forms = {k: [" ".join(words[k][start:end]) for start, end, _ in found] for k, found in enumerate(spans) if found}
    counts: LabelCounts = {}
    for k, sentence_forms in forms.items():
        count_labels(((form, label) for form, (_, _, label) in zip(sentence_forms, spans[k])), counts)
    winners = vote_winners(counts, min_count)
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
