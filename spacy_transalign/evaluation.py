"""Alignment error rate (Och & Ney) and exact-match span precision/recall/F1 (conlleval)."""
from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Dict, Iterable, List, Sequence, Set, Tuple, Union

from .alignment import AlignmentFormatError, read_pharaoh_file
from .files import read_text, text_lines

Link = Tuple[int, int]
Span = Tuple[int, int, str]  # start, end (exclusive), label


def read_gold_alignments(path: Union[str, Path], index_base: int = 1, encoding: str = "utf-8") -> List[Tuple[Set[Link], Set[Link]]]:
    """(sure, possible) per line; ``i-j`` is sure, ``ipj`` possible, and sure links are possible too."""
    gold = []
    for line_no, line in enumerate(text_lines(read_text(path, encoding)), start=1):
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


def evaluate_alignment_files(
    gold_path, pred_path, gold_index_base: int = 1, pred_index_base: int = 0,
    sentences_path=None, encoding: str = "utf-8",
) -> Dict[str, float]:
    """AER of a prediction file against a gold file. Indices are checked, because a wrong index
    base gives a plausible AER: negative indices fail; with ``sentences_path`` (the
    ``source ||| target`` pairs) every link must fit its sentence; without it, a file whose
    links never touch index 0 is taken for a file of the other base."""
    gold = read_gold_alignments(gold_path, gold_index_base, encoding)
    pred = [set(a.pairs) for a in read_pharaoh_file(pred_path, pred_index_base, encoding=encoding)]
    lengths = None
    if sentences_path is not None:
        from .corpora import read_parallel

        lengths = [(len(src), len(tgt)) for src, tgt in read_parallel(sentences_path, encoding)]
        if len(lengths) != len(gold):
            raise ValueError(f"{len(lengths)} sentence pairs in {sentences_path} but {len(gold)} gold lines in {gold_path}")
    _check_indices("gold", gold_path, [possible for _, possible in gold], gold_index_base, lengths)
    _check_indices("pred", pred_path, pred, pred_index_base, lengths)
    if not any(possible for _, possible in gold):
        raise ValueError(f"{gold_path}: no gold links at all: nothing to evaluate against")
    result = alignment_error_rate(gold, pred)
    result["lengths_checked"] = lengths is not None
    return result


def _check_indices(name: str, path, lines: Sequence[Set[Link]], base: int, lengths) -> None:
    hint = f"check --{name}-index-base (now {base})"
    for line_no, links in enumerate(lines, start=1):
        for i, j in links:
            if i < 0 or j < 0:
                raise AlignmentFormatError(f"{path}, line {line_no}: link {i + base}-{j + base} gives a negative index; {hint}")
            if lengths is not None and line_no <= len(lengths) and (i >= lengths[line_no - 1][0] or j >= lengths[line_no - 1][1]):
                n, m = lengths[line_no - 1]
                raise AlignmentFormatError(
                    f"{path}, line {line_no}: link {i + base}-{j + base} is past the sentence ({n} and {m} words); {hint}")
    if lengths is None and sum(map(len, lines)) >= 20 and not any(i == 0 or j == 0 for links in lines for i, j in links):
        raise AlignmentFormatError(
            f"{path}: no link touches the first word of any sentence, so the file looks {base + 1}-based; "
            f"pass --{name}-index-base {base + 1}, or --sentences PAIRS to check the links against the sentences")


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


def compare_tokens(pred: Sequence, gold: Sequence, pred_path="PRED", gold_path="GOLD", fail: bool = True) -> int:
    """How many sentences differ in their tokens: scores over other text are meaningless, so
    the first difference is an error unless ``fail`` is off."""
    if len(pred) != len(gold):
        raise ValueError(f"{len(pred)} sentences in {pred_path} but {len(gold)} in {gold_path}")
    differ = 0
    for k, ((p_words, _), (g_words, _)) in enumerate(zip(pred, gold)):
        if p_words != g_words:
            differ += 1
            if fail:
                at = next((i for i, (a, b) in enumerate(zip(p_words, g_words)) if a != b), min(len(p_words), len(g_words)))
                shown = lambda words: repr(words[at]) if at < len(words) else "(end of sentence)"  # noqa: E731
                raise ValueError(
                    f"sentence {k + 1}: token {at + 1} is {shown(p_words)} in {pred_path} but {shown(g_words)} in "
                    f"{gold_path}; the files must hold the same tokens (--allow-token-mismatch to warn instead)")
    return differ


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
