"""Silver data from agreement: the same unlabelled target-language text seen by several views.

Views: the reverse projection (``--projected``, Docs from ``project_corpus.py --method reverse``),
target-language NER models trained on projected data (``--model``), which tag the text here, and
the names an Apertium dictionary of the text's language types (``--apertium-names``,
:mod:`spacy_transalign.translators.apertium_names`).
An entity needs ``--min-votes`` views with the same span and label; spans with fewer votes become
missing (no loss in training), words no view tags stay ``O`` (:mod:`spacy_transalign.projection.agreement`).
Then names agreed on in most sentences are tagged in the rest (``--propagate``,
:mod:`spacy_transalign.projection.propagation`): agreement alone leaves frequent names missing.
"""
import side_by_side  # first: one BLAS thread per tagger, before numpy loads

import json
from collections import Counter
from pathlib import Path
from typing import List, Optional, Sequence

import spacy
import typer
from spacy.tokens import Doc, DocBin
from tqdm import tqdm

from spacy_transalign.cli import run_script
from spacy_transalign.files import write_docbin, write_json
from spacy_transalign.projection.agreement import doc_spans, set_agreed_ents
from spacy_transalign.projection.propagation import propagate, propagation_table
from spacy_transalign.translators.apertium_names import ApertiumNames

_DOCS: Sequence[Doc] = ()  # the text, for forked taggers to inherit instead of receiving it pickled


def tag(name: str, batch_size: int = 256) -> List[list]:
    """One model's entities on every Doc of ``_DOCS`` (copies: the text stays unannotated)."""
    nlp = spacy.load(name)
    vocab = _DOCS[0].vocab if _DOCS else nlp.vocab
    for labels in nlp.pipe_labels.values():  # the model sets labels by ID: the Docs' strings must know them
        for label in labels:
            vocab.strings.add(label)
    tagged = nlp.pipe((doc.copy() for doc in _DOCS), batch_size=batch_size)
    return [doc_spans(d) for d in tqdm(tagged, total=len(_DOCS), desc=f"tagging with {name}", unit="doc")]


def tag_with_models(docs: Sequence[Doc], models: List[str], batch_size: int, jobs: int) -> List[List[list]]:
    """Each model's view of ``docs``, ``jobs`` models at a time in forked processes (a CPU tagger
    keeps one core busy); the same spans as one after another, in the models' order."""
    global _DOCS
    _DOCS = docs
    return side_by_side.fork_starmap(tag, [(name, batch_size) for name in models], jobs)


def main(
    text: Path = typer.Argument(..., help="Unlabelled target-language Docs (prepare_text.py)"),
    output: Path = typer.Argument(...),
    summary_path: Path = typer.Argument(...),
    projected: List[Path] = typer.Option([], help="DocBins of the same text with projected entities (a view each)"),
    model: List[str] = typer.Option([], help="Trained target-language pipelines (a view each)"),
    apertium_names: str = typer.Option("", help="Language code or Apertium mode whose dictionary's typed names are one more view (empty: none)"),
    min_votes: int = typer.Option(2, help="Views that must propose the same span and label"),
    propagate_names: bool = typer.Option(True, "--propagate/--no-propagate", help="Tag a name agreed on in most of its sentences in all of them"),
    min_count: int = typer.Option(2, help="Propagation: times a name must be agreed on"),
    min_ratio: float = typer.Option(0.5, help="Propagation: share of its decided occurrences in which it was agreed on"),
    add_to: List[Path] = typer.Option([], help="Projected training data the silver data is added to (repeat to add several) ..."),
    train_output: Optional[Path] = typer.Option(None, help="... giving this training DocBin"),
    lang: str = "es",
    batch_size: int = 256,
    jobs: int = typer.Option(2, help="Models tagging at a time (forked processes; 1 on a GPU)"),
    gpu_id: int = -1,
) -> None:
    if bool(add_to) == (train_output is None):
        raise typer.BadParameter("--add-to and --train-output go together")
    if gpu_id >= 0:
        spacy.require_gpu(gpu_id)
    dictionary = ApertiumNames(apertium_names) if apertium_names else None  # a missing pair fails now, not after tagging
    vocab = spacy.blank(lang).vocab
    docs = list(DocBin().from_disk(text).get_docs(vocab))
    keys = [tuple(t.text for t in doc) for doc in docs]
    names: List[str] = []
    views: List[List[Optional[list]]] = []
    for path in projected:
        by_words = {tuple(t.text for t in d): doc_spans(d) for d in DocBin().from_disk(path).get_docs(vocab)}
        views.append([by_words.get(key) for key in keys])  # None: the view has no such sentence
        names.append(path.stem)
    views += tag_with_models(docs, model, batch_size, 1 if gpu_id >= 0 else jobs)
    names += model
    if dictionary is not None:
        views.append(dictionary(docs))
        names.append(f"apertium_names:{dictionary.mode}")
    totals: Counter = Counter()
    for k, doc in enumerate(docs):
        present = [view[k] for view in views if view[k] is not None]
        kept, _ = set_agreed_ents(doc, present, min_votes)
        totals["agreed_entities"] += kept
    if propagate_names:
        table = propagation_table(docs, min_count=min_count, min_ratio=min_ratio)
        totals["propagated_names"] = len(table)
        totals["propagated_entities"] = propagate(docs, table)
    out = DocBin(store_user_data=False)
    for doc in docs:
        unsure = sum(t.ent_iob_ == "" for t in doc)
        totals["entities"] += len(doc.ents)
        totals["words_missing"] += unsure
        totals["sentences_with_missing"] += bool(unsure)
        out.add(doc)
    summary = {
        "views": names, "min_votes": min_votes, "sentences": len(docs),
        "entities_per_view": {n: sum(len(s) for s in v if s) for n, v in zip(names, views)},
        "sentences_per_view": {n: sum(s is not None for s in v) for n, v in zip(names, views)},
        **totals,
    }
    write_docbin(output, out)
    if add_to:
        train = DocBin(store_user_data=False)
        for path in add_to:
            train.merge(DocBin(store_user_data=False).from_disk(path))
        train.merge(out)
        write_docbin(train_output, train)
        summary["training_docs"] = len(train)
    write_json(summary_path, summary)
    typer.echo(json.dumps(summary, indent=2))


if __name__ == "__main__":
    run_script(main)
