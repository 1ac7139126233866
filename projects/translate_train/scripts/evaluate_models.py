"""Evaluate several pipelines on one gold DocBin in one process (spaCy's own ``evaluate``).

Writes ``OUTPUT_DIR/<prefix><NAME>.json`` in ``spacy evaluate --output``'s format for each
``NAME=MODEL``; one process instead of one per model saves spaCy's start-up each time, and
``--jobs`` forked children evaluate side by side (a CPU model keeps one core busy).
"""
import side_by_side  # first: one BLAS thread per evaluation, before numpy loads

import importlib
from pathlib import Path
from typing import Dict, List

import typer

from spacy_transalign.cli import run_script

# ``spacy.cli.evaluate`` the attribute is the CLI function; the module holds the plain one
evaluate = importlib.import_module("spacy.cli.evaluate").evaluate


def main(
    test: Path = typer.Argument(..., exists=True, dir_okay=False, help="Gold DocBin"),
    output_dir: Path = typer.Argument(...),
    models: List[str] = typer.Argument(..., metavar="NAME=MODEL..."),
    prefix: str = typer.Option("eval_", help="Output file names: PREFIX + NAME + .json"),
    jobs: int = typer.Option(2, help="Models evaluated at a time (forked processes; 1 on a GPU)"),
    gpu_id: int = typer.Option(-1),
) -> None:
    pairs = []
    for item in models:
        name, sep, model = item.partition("=")
        if not sep or not name or not model:
            raise typer.BadParameter(f"{item!r}: expected NAME=MODEL")
        if not Path(model).exists():
            raise typer.BadParameter(f"{item!r}: {model} does not exist")
        pairs.append((name, model))
    output_dir.mkdir(parents=True, exist_ok=True)
    work = [(model, test, output_dir / f"{prefix}{name}.json", gpu_id) for name, model in pairs]
    results = side_by_side.fork_starmap(_evaluate, work, 1 if gpu_id >= 0 else jobs)
    for (name, _), scores in zip(pairs, results):
        typer.echo(f"{name}: P {100 * scores['ents_p']:.1f} R {100 * scores['ents_r']:.1f} F1 {100 * scores['ents_f']:.1f}")


def _evaluate(model: str, test: Path, output: Path, gpu_id: int) -> Dict[str, float]:
    scores = evaluate(model, test, output=output, use_gpu=gpu_id)
    return {key: scores[key] for key in ("ents_p", "ents_r", "ents_f")}


if __name__ == "__main__":
    run_script(main)
