"""One training DocBin from several (forward projected data + silver target-language text)."""
from pathlib import Path
from typing import List

import typer
from spacy.tokens import DocBin

from spacy_transalign.cli import run_script
from spacy_transalign.files import write_docbin


def main(output: Path, inputs: List[Path]) -> None:
    merged = DocBin(store_user_data=False)
    for path in inputs:
        merged.merge(DocBin().from_disk(path))
    write_docbin(output, merged)
    typer.echo(f"{len(merged)} Docs from {len(inputs)} files -> {output}")


if __name__ == "__main__":
    run_script(main)
