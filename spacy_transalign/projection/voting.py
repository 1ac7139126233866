"""Corpus-level label consistency: one label per projected surface form.

Source taggers (and alignments) flip the type of the same name between sentences ("Mali" as
LOC here, ORG there). Projected spans are the only evidence in the target language, so when a
surface form was projected at least ``min_count`` times, every occurrence takes its majority
label (ties keep the first label seen). Boundaries are never changed.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from typing import Dict, List, Sequence, Tuple

from ..evaluation import bio_spans
from .strategies import tags_from_spans


def vote_labels(sentences: Sequence[Tuple[Sequence[str], Sequence[str]]], min_count: int = 2) -> Tuple[List[List[str]], int]:
    """``(words, tags)`` per sentence -> relabelled tags, and how many spans changed label."""
    spans = [bio_spans(tags) for _, tags in sentences]
    votes: Dict[str, Counter] = defaultdict(Counter)
    for (words, _), sentence_spans in zip(sentences, spans):
        for start, end, label in sentence_spans:
            votes[" ".join(words[start:end])][label] += 1
    relabelled, changed = [], 0
    for (words, tags), sentence_spans in zip(sentences, spans):
        new_spans = []
        for start, end, label in sentence_spans:
            counter = votes[" ".join(words[start:end])]
            if sum(counter.values()) >= min_count:
                best = counter.most_common(1)[0][0]
                changed += best != label
                label = best
            new_spans.append((start, end, label))
        relabelled.append(tags_from_spans(len(tags), new_spans) if sentence_spans else list(tags))
    return relabelled, changed
