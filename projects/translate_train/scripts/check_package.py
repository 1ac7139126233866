"""`spacy package` a trained pipeline and check the requirements it writes into the package's meta.

A pipeline that uses spacy-transformers must list it (and spacy-transalign only if it contains
the plugin's components), or `pip install` of the package gives a pipeline that cannot load.
"""
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import List

import typer

from spacy_transalign.cli import run_script


def package_requirements(model: Path, name: str = "checked") -> List[str]:
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([sys.executable, "-m", "spacy", "package", str(model), out, "--name", name, "--version", "0.0.0",
                        "--build", "none", "--force"], check=True, capture_output=True, text=True)
        (meta,) = Path(out).glob("*/meta.json")
        return json.loads(meta.read_text())["requirements"]


def main(model: Path, expect: List[str] = typer.Option([]), absent: List[str] = typer.Option([])) -> None:
    requirements = package_requirements(model)
    names = {r.split(">")[0].split("=")[0].split("<")[0] for r in requirements}
    missing = [e for e in expect if e not in names]
    extra = [a for a in absent if a in names]
    typer.echo(f"{model}: requirements {requirements}")
    if missing or extra:
        typer.echo(f"Error: expected {missing} in the requirements, and not {extra}", err=True)
        raise typer.Exit(1)


if __name__ == "__main__":
    run_script(main)
