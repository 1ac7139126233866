"""Prepare a BIO file for `spacy convert --converter ner`: map labels, take a subset, split.

Writes CoNLL `token label` files (blank line between sentences, -DOCSTART- lines dropped) so
spaCy's own converter does the parsing.
"""
import random
from pathlib import Path
from typing import Optional

import typer

from spacy_transalign.cli import run_script
from spacy_transalign.corpora import read_bio, write_bio


def main(
    input: Path,
    output: Path,
    limit: int = typer.Option(0, help="Keep only the first N sentences (0: all)"),
    offset: int = typer.Option(0, help="Skip the first N sentences"),
    drop_labels: str = typer.Option("", help="Comma-separated entity types mapped to O, e.g. MISC"),
    holdout: Optional[Path] = typer.Option(None, help="Write the last --holdout-share of the sentences here"),
    holdout_share: float = typer.Option(0.1),
    seed: int = 0,
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
        write_bio(holdout, [sentences[k] for k in sorted(order[cut:])])
        sentences = [sentences[k] for k in sorted(order[:cut])]
    write_bio(output, sentences)
    typer.echo(f"{len(sentences)} sentences -> {output}")


if __name__ == "__main__":
    run_script(main)
