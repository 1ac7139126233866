"""Train several NER models with one config, ``--jobs`` at a time.

A CNN training on a CPU keeps about one core busy, so on a 2-core machine two trainings side by
side take the time of one. weasel runs its commands one after another, so the workflow's
independent trainings are grouped into one command each and run here: each model is spaCy's own
``train`` in a forked child (no second start-up of spaCy and torch), with one BLAS thread.
Each model's output is shown as it comes, prefixed with its name, and kept in
``OUTPUT/NAME/train.log``; a failed training is named with the end of its log, after the others
have finished. Training is deterministic, so the models do not depend on ``--jobs``.
"""
import side_by_side  # noqa: F401  (first: one BLAS thread per training, before numpy loads)

import multiprocessing
import os
import signal
import sys
import time
import traceback
from multiprocessing.connection import wait
from pathlib import Path
from typing import Dict, List, TextIO, Tuple

import typer

from spacy_transalign.cli import run_script

Job = Tuple[str, List[str]]


def parse_job(spec: str) -> Job:
    """``NAME=TRAIN,DEV[,LANG][,KEY=VALUE...]`` -> (NAME, the ``spacy train`` overrides).

    KEY=VALUE parts are config overrides for this model alone (``system.seed=1``), so models
    that differ only in a setting share one queue and no core waits between two calls.
    """
    name, sep, rest = spec.partition("=")
    parts = rest.split(",")
    settings = [part for part in parts[2:] if "=" in part]
    lang = [part for part in parts[2:] if "=" not in part]
    if not sep or not name or len(parts) < 2 or not all(parts) or len(lang) > 1 or parts[2:] != lang + settings:
        raise typer.BadParameter(f"{spec!r}: expected NAME=TRAIN.spacy,DEV.spacy[,LANG][,KEY=VALUE...]")
    for path in parts[:2]:
        if not Path(path).exists():
            raise typer.BadParameter(f"{spec!r}: {path} does not exist")
    overrides = ["--paths.train", parts[0], "--paths.dev", parts[1]]
    if lang:
        overrides += ["--nlp.lang", lang[0]]
    return name, overrides + _as_flags(settings, where=f"{spec!r}: ")


def _as_flags(settings: List[str], where: str) -> List[str]:
    """``KEY=VALUE`` items -> ``--KEY VALUE`` as ``spacy train`` parses them; ``where`` names
    the spec or option an error is in."""
    flags: List[str] = []
    for item in settings:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise typer.BadParameter(f"{where}{item!r}: expected KEY=VALUE")
        flags += [f"--{key}", value]
    return flags


class _Prefixed:
    """A child's stdout/stderr: every line to the log, and to the terminal behind ``[name]``."""

    def __init__(self, log: TextIO, terminal: TextIO, name: str) -> None:
        self.log, self.terminal, self.prefix, self.pending = log, terminal, f"[{name}] ", ""

    def write(self, text: str) -> int:
        self.log.write(text)
        self.pending += text
        *lines, self.pending = self.pending.split("\n")
        for line in lines:
            self.terminal.write(self.prefix + line + "\n")
        return len(text)

    def flush(self) -> None:
        self.log.flush()
        self.terminal.flush()

    def isatty(self) -> bool:
        return False


def _die_with_parent() -> None:
    """A training must not outlive a killed workflow (Linux: PR_SET_PDEATHSIG; elsewhere nothing)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


def _train(name: str, config: Path, output: Path, args: List[str], gpu_id: int) -> None:
    """In the child: spaCy's ``train`` with the overrides the CLI would parse from ``args``."""
    from spacy.cli._util import parse_config_overrides, setup_gpu
    from spacy.cli.train import train

    _die_with_parent()
    terminal = sys.__stdout__
    with (output / "train.log").open("w", encoding="utf-8") as log:
        sys.stdout = sys.stderr = _Prefixed(log, terminal, name)
        try:
            setup_gpu(gpu_id)
            train(config, output, use_gpu=gpu_id, overrides=parse_config_overrides(args))
        except BaseException:  # noqa: BLE001  (reported through the exit code and the log)
            traceback.print_exc()
            sys.stdout.flush()
            os._exit(1)
        sys.stdout.flush()


def main(
    config: Path = typer.Argument(..., exists=True, dir_okay=False),
    output: Path = typer.Argument(..., help="Each model goes to OUTPUT/NAME (model-best, model-last, train.log)"),
    jobs_specs: List[str] = typer.Argument(..., metavar="NAME=TRAIN,DEV[,LANG][,KEY=VALUE...]...",
                                       help="One per model; LANG overrides nlp.lang, KEY=VALUE this model's config (system.seed=1)"),
    jobs: int = typer.Option(2, help="Trainings at a time (1 on a single GPU)"),
    max_steps: int = typer.Option(4000),
    gpu_id: int = typer.Option(-1),
    override: List[str] = typer.Option([], help="More config overrides for every model, e.g. training.eval_frequency=20"),
) -> None:
    specs = [parse_job(spec) for spec in jobs_specs]
    extra = _as_flags(override, where="--override ")
    fork = multiprocessing.get_context("fork")
    pending = list(specs)
    running: Dict[int, Tuple[str, multiprocessing.Process, float]] = {}
    failed = []
    while pending or running:
        while pending and len(running) < max(1, jobs):
            name, overrides = pending.pop(0)
            (output / name).mkdir(parents=True, exist_ok=True)
            args = ["--training.max_steps", str(max_steps), *extra, *overrides]  # the model's own settings last: they win
            process = fork.Process(target=_train, args=(name, config, output / name, args, gpu_id), name=name)
            sys.stdout.flush()
            process.start()
            running[process.sentinel] = (name, process, time.perf_counter())
        for sentinel in wait(list(running)):
            name, process, started = running.pop(sentinel)
            process.join()
            ok = process.exitcode == 0
            typer.echo(f"{name}: {'done' if ok else f'failed (exit {process.exitcode})'} in {time.perf_counter() - started:.0f} s, "
                       f"log {output / name / 'train.log'}")
            if not ok:
                failed.append(name)
    for name in failed:
        tail = (output / name / "train.log").read_text(encoding="utf-8", errors="replace").splitlines()[-15:]
        typer.echo("\n".join([f"--- end of {name}'s log:", *tail]), err=True)
    if failed:
        raise RuntimeError(f"training failed: {', '.join(failed)} (logs above)")


if __name__ == "__main__":
    run_script(main)
