"""Alignment error rate (Och & Ney) and exact-match span precision/recall/F1 (conlleval)."""
from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Dict, Iterable, List, Sequence, Set, Tuple, Union

from .alignment import AlignmentFormatError, read_pharaoh_file

Link = Tuple[int, int]
Span = Tuple[int, int, str]  # start, end (exclusive), label


def read_gold_alignments(path: Union[str, Path], index_base: int = 1) -> List[Tuple[Set[Link], Set[Link]]]:
    """(sure, possible) per line; ``i-j`` is sure, ``ipj`` possible, and sure links are possible too."""
    gold = []
    with open(path, encoding="utf-8") as f:
        for line_no, line in enumerate(f, start=1):
            sure, possible = set(), set()
            for item in line.split():
                sep = "-" if "-" in item else "p"
                left, _, right = item.partition(sep)
                if not (left.isdigit() and right.isdigit()):
                    raise AlignmentFormatError(f"{path}, line {line_no}: malformed link {item!r}")
                link = (int(left) - index_base, int(right) - index_base)
                possible.add(link)
                if sep == "-":
                    sure.add(link)
            gold.append((sure, possible))
    return gold


def alignment_error_rate(gold: Sequence[Tuple[Set[Link], Set[Link]]], pred: Sequence[Iterable[Link]]) -> Dict[str, float]:
    """Corpus-level AER = 1 - (|A∩S| + |A∩P|) / (|A| + |S|), with precision, recall and F1."""
    if len(gold) != len(pred):
        raise ValueError(f"{len(gold)} gold sentences but {len(pred)} predicted sentences")
    n_pred = n_sure = hit_sure = hit_possible = 0
    for (sure, possible), links in zip(gold, pred):
        links = set(links)
        n_pred += len(links)
        n_sure += len(sure)
        hit_sure += len(links & sure)
        hit_possible += len(links & possible)
    precision = hit_possible / n_pred if n_pred else 0.0
    recall = hit_sure / n_sure if n_sure else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    aer = 1.0 - (hit_sure + hit_possible) / (n_pred + n_sure) if n_pred + n_sure else 0.0
    return {"aer": aer, "precision": precision, "recall": recall, "f1": f1, "sentences": len(gold)}


def evaluate_alignment_files(gold_path, pred_path, gold_index_base: int = 1, pred_index_base: int = 0) -> Dict[str, float]:
    gold = read_gold_alignments(gold_path, gold_index_base)
    pred = [set(a.pairs) for a in read_pharaoh_file(pred_path, pred_index_base)]
    return alignment_error_rate(gold, pred)


def all_outside(tags: Sequence[str]) -> bool:
    """No tag but ``O``: most sentences of a corpus, checked at C speed."""
    return tags.count("O") == len(tags)


def bio_spans(tags: Sequence[str]) -> List[Span]:
    """Spans as conlleval (and seqeval's default mode) read them.

    A span starts at ``B-X``, or at ``I-X`` after ``O`` or after a tag of another type; it ends
    where the next tag does not continue it.
    """
    if all_outside(tags):  # no loop
        return []
    spans: List[Span] = []
    start, label = None, None
    for k, tag in enumerate(list(tags) + ["O"]):
        if tag == "O" and start is None:
            continue
        prefix, _, kind = tag.partition("-")
        continues = prefix == "I" and label == kind and start is not None
        if start is not None and not continues:
            spans.append((start, k, label))  # type: ignore[arg-type]
            start, label = None, None
        if prefix in ("B", "I") and not continues:
            start, label = k, kind
    return spans


def _prf(tp: int, n_pred: int, n_gold: int) -> Dict[str, float]:
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def span_prf(pred: Sequence[Sequence[str]], gold: Sequence[Sequence[str]]) -> Dict:
    """Exact-match span P/R/F1, micro and per label, over sentences of BIO tags."""
    if len(pred) != len(gold):
        raise ValueError(f"{len(pred)} predicted sentences but {len(gold)} gold sentences")
    tp: Counter = Counter()
    n_pred: Counter = Counter()
    n_gold: Counter = Counter()
    for k, (p_tags, g_tags) in enumerate(zip(pred, gold)):
        if len(p_tags) != len(g_tags):
            raise ValueError(f"Sentence {k} (0-based) has {len(p_tags)} predicted but {len(g_tags)} gold tokens")
        p_spans, g_spans = set(bio_spans(p_tags)), set(bio_spans(g_tags))
        n_pred.update(s[2] for s in p_spans)
        n_gold.update(s[2] for s in g_spans)
        tp.update(s[2] for s in p_spans & g_spans)
    result = _prf(sum(tp.values()), sum(n_pred.values()), sum(n_gold.values()))
    result["per_label"] = {
        label: dict(_prf(tp[label], n_pred[label], n_gold[label]), support=n_gold[label])
        for label in sorted(set(n_pred) | set(n_gold))
    }
    result["sentences"] = len(gold)
    return result
