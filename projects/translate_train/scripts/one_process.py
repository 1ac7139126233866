"""Run several of the workflow's scripts one after another in this one process.

weasel starts a process for every command, and each start costs about five seconds here before a
script does any work: ``import spacy`` loads thinc and torch, and spaCy's first ``Language`` loads
every ``spacy_factories`` entry point (spacy-transformers, and with it transformers). The smoke
workflow is mostly such starts, so it chains its short commands::

    python scripts/one_process.py scripts/prepare_bio.py A.iob a.spacy --limit 300 :: scripts/prepare_bio.py ...

Each script runs as ``python SCRIPT ARGS`` would run it (``__name__ == "__main__"``, its own
``sys.argv``); the first that fails stops the chain with its exit code, and the later ones do not
run. Not for ``train_models.py``: it forks its trainings and sets BLAS threads before numpy loads.
"""
import runpy
import sys
from typing import List

SEPARATOR = "::"


def split_commands(argv: List[str]) -> List[List[str]]:
    commands: List[List[str]] = [[]]
    for arg in argv:
        if arg == SEPARATOR:
            commands.append([])
        else:
            commands[-1].append(arg)
    if not all(commands) or not all(command[0].endswith(".py") for command in commands):
        raise SystemExit(f"usage: {sys.argv[0]} SCRIPT.py [ARGS...] [{SEPARATOR} SCRIPT.py [ARGS...]]...")
    return commands


def main() -> None:
    for command in split_commands(sys.argv[1:]):
        sys.argv = command
        try:
            runpy.run_path(command[0], run_name="__main__")
        except SystemExit as stop:
            if stop.code not in (None, 0):
                print(f"one_process.py: {' '.join(command)} failed; the commands after it did not run", file=sys.stderr)
                raise


if __name__ == "__main__":
    main()
