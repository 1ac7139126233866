"""Readers and writers for the plain-text corpora projection works with.

* parallel text: one pre-tokenised pair per line, ``source ||| target``;
* BIO files: one ``token label`` per line, a blank line between sentences (CoNLL layout).
"""
from __future__ import annotations

import re
from functools import lru_cache
from itertools import accumulate, chain
from pathlib import Path
from typing import Iterable, List, Optional, Sequence, Tuple, Union

from . import tags as schemes
from .files import atomic_write, read_text, text_lines
from .tags import Scheme

PathLike = Union[str, Path]
Sentence = Tuple[List[str], List[str]]  # tokens, labels


class CorpusFormatError(ValueError):
    """A corpus file is not in the layout its reader expects."""


def read_parallel(path: PathLike, encoding: str = "utf-8") -> List[Tuple[List[str], List[str]]]:
    pairs = []
    for line_no, line in enumerate(text_lines(read_text(path, encoding)), start=1):
        if "|||" not in line:
            raise CorpusFormatError(f"{path}, line {line_no}: expected 'source ||| target', got {line.strip()[:80]!r}")
        src, tgt = line.split("|||", 1)
        pairs.append((src.split(), tgt.split()))
    return pairs


def read_bio(path: PathLike, with_labels: bool = True, scheme: Scheme = "bio", encoding: str = "utf-8") -> List[Sentence]:
    """Sentences as (tokens, BIO labels); with ``with_labels=False`` labels are ``O`` placeholders.

    ``-DOCSTART-`` lines (CoNLL-2003) are skipped; tokens are the first column, labels the last.
    ``scheme`` says how labels are read (:mod:`.tags`: ``auto`` detects BIOES and IO); a label
    outside it is an error naming its line.
    """
    return parse_bio(read_text(path, encoding), path, with_labels, scheme)


def parse_bio(text: str, path: PathLike, with_labels: bool = True, scheme: Scheme = "bio") -> List[Sentence]:
    """:func:`read_bio` on text already read; ``path`` names it in errors."""
    sentences = _read_uniform_columns(text, with_labels)
    if sentences is None:
        sentences = _read_line_by_line(text, with_labels, path)
    if "-DOCSTART-" in text:
        sentences = _drop_docstarts(sentences)
    if with_labels:
        sentences = _as_bio(sentences, scheme, text, path)
    return sentences


def _as_bio(sentences: List[Sentence], scheme: str, text: str, path: PathLike) -> List[Sentence]:
    labels = list(chain.from_iterable(labels for _, labels in sentences))
    resolved = schemes.detect_scheme(labels) if scheme == "auto" else scheme
    bad = schemes.first_bad_label(labels, resolved)
    if bad is not None:
        found = re.search(rf"(?m)[ \t]{re.escape(bad)}[ \t]*\r?$", text)
        line = text.count("\n", 0, found.start()) + 1 if found else "?"
        raise CorpusFormatError(f"{path}, line {line}: {schemes.explain(bad, resolved)}")
    if resolved == "bio":
        return sentences
    return [(words, schemes.to_bio(labels, resolved)) for words, labels in sentences]


_BLOCK_BREAK = re.compile(r"\n(?:[ \t]*\n)+")


@lru_cache(maxsize=16)
def _layouts(n_columns: int) -> Tuple["re.Pattern[str]", "re.Pattern[str]"]:
    """Lines holding exactly ``n_columns`` cells, or blank: the canonical layout (one space
    between cells, blank lines empty; checked first, it is the fastest to match) and any
    space/tab padding."""
    canonical = r"\S++" + r" \S++" * (n_columns - 1)
    padded = r"[ \t]*+\S++" + r"[ \t]++\S++" * (n_columns - 1) + r"[ \t]*+"
    return re.compile(rf"(?:(?:{canonical})?+\n)*+"), re.compile(rf"(?:[ \t]*+\n|{padded}\n)*+")


def _read_uniform_columns(text: str, with_labels: bool) -> Optional[List[Sentence]]:
    """The common case at C speed: every token line has the same number of cells, so one
    ``split()`` of the whole file yields the cells in order. None when the layout differs."""
    stripped = text.strip()
    if not stripped:
        return []
    n_columns = len(stripped.split("\n", 1)[0].split())
    if with_labels and n_columns < 2:
        return None
    canonical, padded = _layouts(n_columns)
    body = text if text.endswith("\n") else text + "\n"
    simple = canonical.fullmatch(body) is not None
    if not simple and padded.fullmatch(body) is None:
        return None
    blocks = stripped.split("\n\n") if simple and "\n\n\n" not in stripped else _BLOCK_BREAK.split(stripped)
    cells = stripped.split()
    tokens, labels = cells[0::n_columns], cells[n_columns - 1 :: n_columns]
    sentences, start = [], 0
    for block in blocks:
        end = start + block.count("\n") + 1
        words = tokens[start:end]
        sentences.append((words, labels[start:end] if with_labels else ["O"] * len(words)))
        start = end
    return sentences


def _read_line_by_line(text: str, with_labels: bool, path: PathLike) -> List[Sentence]:
    """Any layout (ragged columns, odd whitespace); names the line of a malformed token."""
    sentences: List[Sentence] = []
    tokens: List[str] = []
    labels: List[str] = []
    for line_no, line in enumerate(text.split("\n"), start=1):
        parts = line.split()
        if not parts:
            if tokens:
                sentences.append((tokens, labels))
                tokens, labels = [], []
            continue
        if with_labels and len(parts) < 2:
            raise CorpusFormatError(f"{path}, line {line_no}: expected 'token label', got {line.strip()!r}")
        tokens.append(parts[0])
        labels.append(parts[-1] if with_labels else "O")
    if tokens:
        sentences.append((tokens, labels))
    return sentences


def _drop_docstarts(sentences: List[Sentence]) -> List[Sentence]:
    kept = []
    for tokens, labels in sentences:
        if "-DOCSTART-" in tokens:
            keep = [k for k, token in enumerate(tokens) if token != "-DOCSTART-"]
            tokens, labels = [tokens[k] for k in keep], [labels[k] for k in keep]
        if tokens:
            kept.append((tokens, labels))
    return kept


def write_bio(path: PathLike, sentences: Iterable[Tuple[Sequence[str], Sequence[str]]]) -> None:
    """``token label`` lines, a blank line after each sentence (empty sentences have no lines).

    The text is assembled with slice assignments into one list of pieces, not a string per
    line: twice as fast on a test set."""
    sentences = [(tokens, labels) for tokens, labels in sentences if len(tokens) or len(labels)]
    for k, (tokens, labels) in enumerate(sentences):
        if len(tokens) != len(labels):
            raise ValueError(f"Sentence {k} (0-based): {len(tokens)} tokens but {len(labels)} labels")
    tokens = list(chain.from_iterable(tokens for tokens, _ in sentences))
    pieces = [" "] * (4 * len(tokens))  # token, " ", label, line end
    pieces[0::4] = tokens
    pieces[2::4] = list(chain.from_iterable(labels for _, labels in sentences))
    pieces[3::4] = ["\n"] * len(tokens)
    for end in accumulate(len(tokens) for tokens, _ in sentences):
        pieces[4 * end - 1] = "\n\n"
    with atomic_write(path) as f:
        f.write("".join(pieces))
