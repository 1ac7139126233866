"""Prepare a BIO file for training: map labels, take a subset, split.

An OUTPUT ending in ``.spacy`` is a DocBin made by spaCy's own converter in this process (what
``spacy convert -c ner -n 1 -l LANG`` writes, without a second process start); otherwise a
CoNLL ``token label`` file (blank line between sentences, -DOCSTART- lines dropped).
"""
import random
from pathlib import Path
from typing import Optional

import typer

from spacy_transalign.cli import run_script
from spacy_transalign.corpora import read_bio, write_bio
from spacy_transalign.files import write_docbin


def write(path: Path, sentences, lang: str) -> None:
    if path.suffix != ".spacy":
        write_bio(path, sentences)
        return
    from spacy.tokens import DocBin
    from spacy.training.converters import conll_ner_to_docs

    text = "\n\n".join("\n".join(f"{w} {t}" for w, t in zip(words, tags)) for words, tags in sentences)
    write_docbin(path, DocBin(docs=conll_ner_to_docs(text, n_sents=1, lang=lang, no_print=True), store_user_data=True))


def main(
    input: Path,
    output: Path,
    limit: int = typer.Option(0, help="Keep only the first N sentences (0: all)"),
    offset: int = typer.Option(0, help="Skip the first N sentences"),
    drop_labels: str = typer.Option("", help="Comma-separated entity types mapped to O, e.g. MISC"),
    holdout: Optional[Path] = typer.Option(None, help="Write the last --holdout-share of the sentences here"),
    holdout_share: float = typer.Option(0.1),
    seed: int = 0,
    lang: str = typer.Option("xx", help="Language of the Docs when OUTPUT is a .spacy DocBin"),
) -> None:
    dropped = {d for d in drop_labels.split(",") if d}
    sentences = read_bio(input)[offset:]
    if limit:
        sentences = sentences[:limit]
    sentences = [(w, ["O" if t[2:] in dropped else t for t in tags]) for w, tags in sentences]
    if holdout:
        order = list(range(len(sentences)))
        random.Random(seed).shuffle(order)
        cut = int(len(order) * (1 - holdout_share))
        write(holdout, [sentences[k] for k in sorted(order[cut:])], lang)
        sentences = [sentences[k] for k in sorted(order[:cut])]
    write(output, sentences, lang)
    typer.echo(f"{len(sentences)} sentences -> {output}")


if __name__ == "__main__":
    run_script(main)
