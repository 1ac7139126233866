"""Readers and writers for the plain-text corpora projection works with.

* parallel text: one pre-tokenised pair per line, ``source ||| target``;
* BIO files: one ``token label`` per line, a blank line between sentences (CoNLL layout).
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, List, Sequence, Tuple, Union

from .files import atomic_write

PathLike = Union[str, Path]
Sentence = Tuple[List[str], List[str]]  # tokens, labels


class CorpusFormatError(ValueError):
    """A corpus file is not in the layout its reader expects."""


def read_parallel(path: PathLike) -> List[Tuple[List[str], List[str]]]:
    pairs = []
    with open(path, encoding="utf-8") as f:
        for line_no, line in enumerate(f, start=1):
            if "|||" not in line:
                raise CorpusFormatError(f"{path}, line {line_no}: expected 'source ||| target', got {line.strip()[:80]!r}")
            src, tgt = line.split("|||", 1)
            pairs.append((src.split(), tgt.split()))
    return pairs


def read_bio(path: PathLike, with_labels: bool = True) -> List[Sentence]:
    """Sentences as (tokens, labels); with ``with_labels=False`` labels are ``O`` placeholders.

    ``-DOCSTART-`` lines (CoNLL-2003) are skipped; tokens are the first column, labels the last.
    """
    sentences: List[Sentence] = []
    tokens: List[str] = []
    labels: List[str] = []
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    for line_no, line in enumerate(lines, start=1):
        parts = line.split()
        if not parts:
            if tokens:
                sentences.append((tokens, labels))
                tokens, labels = [], []
            continue
        if parts[0] == "-DOCSTART-":
            continue
        if with_labels and len(parts) < 2:
            raise CorpusFormatError(f"{path}, line {line_no}: expected 'token label', got {line.strip()!r}")
        tokens.append(parts[0])
        if with_labels:
            labels.append(parts[-1])
    if tokens:
        sentences.append((tokens, labels))
    if not with_labels:
        sentences = [(tokens, ["O"] * len(tokens)) for tokens, _ in sentences]
    return sentences


def write_bio(path: PathLike, sentences: Iterable[Tuple[Sequence[str], Sequence[str]]]) -> None:
    blocks = ["".join(f"{token} {label}\n" for token, label in zip(tokens, labels)) for tokens, labels in sentences]
    with atomic_write(path) as f:
        f.write("\n".join(blocks) + ("\n" if blocks else ""))
