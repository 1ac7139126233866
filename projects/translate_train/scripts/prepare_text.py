"""Unlabelled target-language text for the reverse method, one Doc per sentence.

Two inputs: a BIO file read *without* its labels (the label column is never parsed, so the Docs
carry no entity annotation at all: the stand-in for raw text), or plain text, one sentence a
line, tokenised by spaCy. ``--format auto`` takes a file whose every line is blank or ends in a
BIO tag as BIO. Empty lines are skipped and counted; a line over spaCy's length limit is an
error naming it.
"""
import re
from pathlib import Path

import spacy
import typer
from spacy.tokens import Doc, DocBin

from spacy_transalign.cli import run_script
from spacy_transalign.corpora import read_bio
from spacy_transalign.files import InputFileError, read_text, text_lines, write_docbin

TAG = re.compile(r"\S+\s+(?:O|[BIESU]-\S+)\s*$")


def looks_like_bio(lines) -> bool:
    filled = [line for line in lines if line.strip()]
    return bool(filled) and all(TAG.match(line) for line in filled)


def unlabelled_docs(path: Path, lang: str, fmt: str = "auto", encoding: str = "utf-8") -> tuple:
    nlp = spacy.blank(lang)
    lines = text_lines(read_text(path, encoding))
    if fmt == "bio" or (fmt == "auto" and looks_like_bio(lines)):
        sentences = [words for words, _ in read_bio(path, with_labels=False, encoding=encoding)]
        docs = [Doc(nlp.vocab, words=w, sent_starts=[True] + [False] * (len(w) - 1)) for w in sentences if w]
        return docs, 0
    docs, empty = [], 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            empty += 1
            continue
        if len(line) > nlp.max_length:
            raise InputFileError(f"{path}, line {number}: {len(line):,} characters, over spaCy's max_length "
                                 f"({nlp.max_length:,}); split it into sentences, one a line")
        doc = nlp.make_doc(line.strip())
        for k, token in enumerate(doc):
            token.is_sent_start = k == 0
        docs.append(doc)
    return docs, empty


def main(
    input: Path = typer.Argument(..., exists=True, dir_okay=False),
    output: Path = typer.Argument(...),
    lang: str = "es",
    format: str = typer.Option("auto", help="auto | bio (labels ignored) | text (one sentence a line)"),
    encoding: str = typer.Option("utf-8", help="Encoding of INPUT (e.g. latin-1)"),
    limit: int = typer.Option(0, help="Keep only the first N sentences (0: all)"),
) -> None:
    if format not in ("auto", "bio", "text"):
        raise typer.BadParameter(f"--format {format!r}: use auto, bio or text")
    docs, empty = unlabelled_docs(input, lang, format, encoding)
    if limit:
        docs = docs[:limit]
    if not docs:
        raise InputFileError(f"{input}: no sentences")
    write_docbin(output, DocBin(docs=docs))
    typer.echo(f"{len(docs)} unlabelled sentences -> {output}" + (f" ({empty} empty lines skipped)" if empty else ""))


if __name__ == "__main__":
    run_script(main)
