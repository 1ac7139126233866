"""Unlabelled target-language text for the reverse method: a BIO file read *without* its labels.

The label column is never parsed (``read_bio(..., with_labels=False)``), so the Docs carry no
entity annotation at all, only words and one sentence each: the stand-in for the raw text a user
has in the target language.
"""
from pathlib import Path

import spacy
import typer
from spacy.tokens import Doc, DocBin

from spacy_transalign.corpora import read_bio
from spacy_transalign.files import atomic_write


def unlabelled_docs(path: Path, lang: str) -> list:
    vocab = spacy.blank(lang).vocab
    docs = []
    for words, _ in read_bio(path, with_labels=False):
        docs.append(Doc(vocab, words=words, sent_starts=[True] + [False] * (len(words) - 1)))
    return docs


def main(input: Path, output: Path, lang: str = "es") -> None:
    docs = unlabelled_docs(input, lang)
    with atomic_write(output, "wb") as f:
        f.write(DocBin(docs=docs).to_bytes())
    typer.echo(f"{len(docs)} unlabelled sentences -> {output}")


if __name__ == "__main__":
    typer.run(main)
