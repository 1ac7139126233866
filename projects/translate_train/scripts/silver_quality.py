"""Diagnostic only: silver data scored against the gold labels of the same target-language text.

Nothing here feeds training; it says how good each method's silver data is (exact-span P/R/F1,
micro and per label; missing words count as no entity). Sentences are matched by their words.
"""
from pathlib import Path
from typing import List

import spacy
import typer
from spacy.tokens import DocBin

from spacy_transalign.cli import run_script
from spacy_transalign.corpora import read_bio
from spacy_transalign.evaluation import span_prf
from spacy_transalign.files import write_json


def main(
    gold: Path = typer.Argument(..., help="Gold BIO file of the text the silver data was made from"),
    output: Path = typer.Argument(...),
    silver: List[str] = typer.Argument(..., help="NAME=DOCBIN pairs"),
    drop_labels: str = typer.Option("MISC", help="Gold labels mapped to O"),
    lang: str = "es",
) -> None:
    dropped = {d for d in drop_labels.split(",") if d}
    gold_tags = {}
    for words, tags in read_bio(gold):
        gold_tags[tuple(words)] = ["O" if t[2:] in dropped else t for t in tags]
    vocab = spacy.blank(lang).vocab
    result = {}
    for item in silver:
        name, _, path = item.partition("=")
        pred, ref = [], []
        for doc in DocBin().from_disk(path).get_docs(vocab):
            key = tuple(t.text for t in doc)
            if key in gold_tags:
                pred.append([f"{t.ent_iob_}-{t.ent_type_}" if t.ent_iob_ in ("B", "I") else "O" for t in doc])
                ref.append(gold_tags[key])
        result[name] = span_prf(pred, ref)
        result[name]["missing_words"] = sum(t.ent_iob_ == "" for d in DocBin().from_disk(path).get_docs(vocab) for t in d)
        typer.echo(f"{name}: P {100 * result[name]['precision']:.1f} R {100 * result[name]['recall']:.1f} "
                   f"F1 {100 * result[name]['f1']:.1f} ({len(ref)} sentences)")
    write_json(output, result)


if __name__ == "__main__":
    run_script(main)
