"""Projection of a corpus with the plugin's three components; the output is target-language Docs.

- ``alignment`` / ``marker`` (translate-train): English Docs with entities are translated into the
  target language and their entities projected onto the translations, which are kept.
- ``reverse``: *unlabelled* target-language Docs are translated into English, tagged there by an
  English pipeline (``--annotate-with``) and the tags projected back (projector
  ``direction="from_translation"``); the target-language Docs are kept.

``--also-annotate-with`` (repeatable, with ``--also-label-map`` and ``--also-output`` in the same
order) tags the same translations with more English pipelines and projects their tags through the
same alignment: one output each, translated and aligned once.

Also written: a JSON summary of every entity's outcome, with ``--filtered-output`` the Docs
whose every entity was projected (sentence-level filtering), with ``--prose-output`` the Docs
whose source sentence is running text (no tables, headlines or datelines:
:mod:`spacy_transalign.projection.prose`), and with ``--view-output`` the pipeline's own Docs
(translation, alignment and outcomes in user data) for the viewer.

A thin call of the ``project-corpus`` command's library function: it runs in ``--work-dir``
(default: OUTPUT's name + ``.shards``), which a killed run resumes from and a finished run
removes, and joins the shards into the files above. ``--shard-size 0`` (the default) makes the
input one shard, as eflomal aligns best with all of it; ``--engine ray`` with ``--shard-size
2000 --num-actors N`` spreads the shards over Ray actors. Outputs are written atomically.
"""
import json
import shutil
import time
from pathlib import Path
from typing import List, Optional

import spacy
import typer
from spacy.tokens import DocBin
from spacy_transalign.cli import run_script
from spacy_transalign.files import write_docbin, write_json
from spacy_transalign.scaleout import ProjectionSettings, annotator_specs, parse_label_map, project_corpus
from spacy_transalign.scaleout.run import failure_message

ONE_SHARD = 2**31 - 1


def _join(paths: List[str], user_data: bool) -> DocBin:
    joined = DocBin(store_user_data=user_data)
    for path in paths:
        joined.merge(DocBin(store_user_data=user_data).from_disk(path))
    return joined


def main(
    input: Path,
    output: Path,
    summary_path: Path,
    src_lang: str = "en",
    tgt_lang: str = "es",
    method: str = typer.Option("alignment", help="alignment | marker (markers first, alignment as fallback) | reverse"),
    translator: str = typer.Option("apertium", help="apertium | nllb"),
    aligner: str = typer.Option("eflomal", help="eflomal | transalign"),
    strategy: str = typer.Option("support", help="support | hull"),
    mt_model: str = "facebook/nllb-200-distilled-600M",
    align_model: str = "facebook/nllb-200-distilled-600M",
    align_layer: int = 12,
    src_code: str = "eng_Latn",
    tgt_code: str = "spa_Latn",
    annotate_with: Optional[str] = typer.Option(None, help="reverse: the English NER pipeline that tags the translations"),
    label_map: str = typer.Option("", help="Rename/select source labels, e.g. PERSON=PER,GPE=LOC,LOC=LOC,ORG=ORG "
                                           "(for an OntoNotes pipeline in --annotate-with); others are not projected"),
    also_annotate_with: List[str] = typer.Option([], help="reverse: one more English NER pipeline, projected through the "
                                                          "same alignment (repeatable)"),
    also_label_map: List[str] = typer.Option([], help="... its label map ('' for none), one per --also-annotate-with"),
    also_output: List[Path] = typer.Option([], help="... its output DocBin, one per --also-annotate-with"),
    max_new_tokens: int = typer.Option(256, help="nllb: the longest translation, in tokens"),
    lora_path: str = typer.Option("", help="transalign: a peft LoRA adapter folder for the alignment encoder"),
    filtered_output: Optional[Path] = typer.Option(None, help="Also write the Docs in which no entity was dropped"),
    prose_output: Optional[Path] = typer.Option(None, help="Also write the Docs whose source sentence has a lower-case word"),
    view_output: Optional[Path] = typer.Option(None, help="Also write the pipeline's Docs with translation, alignment "
                                                          "and outcomes (DocBin with user data) for `spacy_transalign view`"),
    cache_dir: Optional[Path] = typer.Option(None),
    gpu_id: int = -1,
    engine: str = typer.Option("local", help="local | ray (a cluster by RAY_ADDRESS, else Ray on this machine)"),
    num_actors: int = typer.Option(1, help="ray: actors, each with its own pipeline"),
    num_gpus: float = typer.Option(0, help="ray: GPUs per actor"),
    shard_size: int = typer.Option(0, help="Sentences per shard; 0: the whole input is one shard (eflomal aligns it at once)"),
    work_dir: Optional[Path] = typer.Option(None, help="Shards of this run (default: OUTPUT.shards); removed when it ends well"),
) -> None:
    if not len(also_annotate_with) == len(also_label_map) == len(also_output):
        raise typer.BadParameter(f"--also-annotate-with ({len(also_annotate_with)}), --also-label-map ({len(also_label_map)}) "
                                 f"and --also-output ({len(also_output)}) go together, one of each per extra pipeline")
    if gpu_id >= 0 and engine == "local":
        spacy.require_gpu(gpu_id)
    work = work_dir or output.with_name(output.name + ".shards")
    extras = [name for name, path in (("filtered", filtered_output), ("prose", prose_output), ("view", view_output)) if path]
    started = time.perf_counter()
    try:
        settings = ProjectionSettings(
            method=method, src_lang=src_lang, translator=translator, aligner=aligner, strategy=strategy, mt_model=mt_model,
            align_model=align_model, align_layer=align_layer, src_code=src_code, max_new_tokens=max_new_tokens,
            lora_path=lora_path, annotate_with=annotate_with, label_map=parse_label_map(label_map),
            more_annotators=annotator_specs(also_annotate_with, also_label_map),
            cache_dir=str(cache_dir) if cache_dir else None, gpu_id=gpu_id)
        result = project_corpus([input], work, [tgt_lang], settings, tgt_codes={tgt_lang: tgt_code}, engine=engine,
                                num_actors=num_actors, num_gpus=num_gpus, shard_size=shard_size or ONE_SHARD,
                                extras=extras)
    except ValueError as err:
        raise typer.BadParameter(str(err)) from err
    failed = failure_message(result, work)
    if failed:
        raise RuntimeError(failed)
    entry = result["languages"][tgt_lang]
    outcomes = {k: v for k, v in entry["outcomes"].items() if k.startswith(("projected", "dropped", "marker", "overwritten", "skipped"))}
    summary = {
        "method": method, "translator": translator, "aligner": aligner, "strategy": strategy, "engine": engine,
        "shards": result["shards"], "docs_in": entry["docs_in"], "docs_out": entry["docs_out"],
        "docs_with_empty_translation": entry["docs_with_empty_translation"],
        "entities_in": entry["entities_in"], "entities_out": entry["entities_out"],
        "outcomes": outcomes, "relabelled_by_vote": entry["relabelled_by_vote"],
        "seconds": round(time.perf_counter() - started, 1), "sentences": entry["sentences"],
        "sentences_translated": entry["translated"] if cache_dir else entry["sentences"],
    }
    if aligner == "transalign":  # sentences whose source encoder states came from the translator
        summary["encoder_states_reused"] = entry["encoder_states_reused"]
        summary["lora_path"] = lora_path or None
    if view_output:
        write_docbin(view_output, _join(entry["view_outputs"], user_data=True))
    if filtered_output:
        summary["docs_without_dropped_entities"] = entry["docs_filtered"]
        write_docbin(filtered_output, _join(entry["filtered_outputs"], user_data=False))
    if prose_output:
        summary["docs_prose"] = entry["docs_prose"]
        write_docbin(prose_output, _join(entry["prose_outputs"], user_data=False))
    write_docbin(output, _join(entry["outputs"], user_data=False))
    for path, also in zip(also_output, entry["also"]):
        write_docbin(path, _join(also["outputs"], user_data=False))
    if also_output:
        summary["also"] = [{"annotate_with": a["annotate_with"], "output": str(path), "entities_out": a["entities_out"],
                            "outcomes": a["outcomes"], "relabelled_by_vote": a["relabelled_by_vote"]}
                           for path, a in zip(also_output, entry["also"])]
    write_json(summary_path, summary)
    shutil.rmtree(work)
    typer.echo(json.dumps(summary, indent=2))


if __name__ == "__main__":
    run_script(main)
