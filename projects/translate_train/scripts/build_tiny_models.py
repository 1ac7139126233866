"""Tiny local stand-ins for NLLB-200 and XLM-R, built with the same builders the tests use.

Real weights cannot be downloaded here (nor in CI): these models have the real architectures,
tokenizers and language tags, random weights and a sentencepiece vocabulary trained on the smoke
corpus, so every code path a real checkpoint takes runs, from loading by path to training.
"""
from pathlib import Path
from typing import List

import typer

from spacy_transalign.cli import run_script
from spacy_transalign.corpora import read_bio
from spacy_transalign.testing import build_lora_adapter, build_nllb_like, build_xlmr_like


def sentences(path: Path) -> List[List[str]]:
    if path.suffix == ".spacy":
        import spacy
        from spacy.tokens import DocBin

        return [[t.text for t in doc] for doc in DocBin().from_disk(path).get_docs(spacy.blank("xx").vocab)]
    return [words for words, _ in read_bio(path, with_labels=False)]


def main(
    output_dir: Path,
    corpora: List[Path] = typer.Argument(..., help="BIO files or DocBins whose words train the vocabularies"),
    seed: int = 0,
) -> None:
    lines = [" ".join(words) for path in corpora for words in sentences(path)]
    nllb = build_nllb_like(output_dir / "tiny_nllb", lines, seed=seed)
    build_lora_adapter(nllb, output_dir / "tiny_nllb_lora", seed=seed)
    build_xlmr_like(output_dir / "tiny_xlmr", lines, seed=seed)
    typer.echo(f"tiny_nllb (2 layers), tiny_nllb_lora, tiny_xlmr -> {output_dir} ({len(lines)} lines of vocabulary text)")


if __name__ == "__main__":
    run_script(main)
