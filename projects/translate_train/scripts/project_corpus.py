"""Projection of a corpus with the plugin's three components; the output is target-language Docs.

- ``alignment`` / ``marker`` (translate-train): English Docs with entities are translated into the
  target language and their entities projected onto the translations, which are kept.
- ``reverse``: *unlabelled* target-language Docs are translated into English, tagged there by an
  English pipeline (``--annotate-with``) and the tags projected back (projector
  ``direction="from_translation"``); the target-language Docs are kept.

Also written: a JSON summary of every entity's outcome, with ``--filtered-output`` the Docs
whose every entity was projected (sentence-level filtering), and with ``--view-output`` the
pipeline's own Docs (translation, alignment and outcomes in user data) for the viewer. The translation cache makes an
interrupted run resume cheaply; outputs are written atomically. The pipeline is
:func:`spacy_transalign.scaleout.build_pipeline`'s, as in the ``project-corpus`` command (which
shards, resumes, fans out to several languages and runs on Ray); here the corpus is one batch.
"""
import json
import time
from pathlib import Path
from typing import Optional

import spacy
import typer
from spacy.tokens import DocBin
from spacy_transalign.cli import run_script
from spacy_transalign.encoder_states import SHARED_STATES
from spacy_transalign.files import write_docbin, write_json
from spacy_transalign.progress import pipe_by_component
from spacy_transalign.scaleout import ProjectionSettings, build_pipeline, parse_label_map
from spacy_transalign.scaleout.pipeline import check_unlabelled


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
    max_new_tokens: int = typer.Option(256, help="nllb: the longest translation, in tokens"),
    lora_path: str = typer.Option("", help="transalign: a peft LoRA adapter folder for the alignment encoder"),
    filtered_output: Optional[Path] = typer.Option(None, help="Also write the Docs in which no entity was dropped"),
    view_output: Optional[Path] = typer.Option(None, help="Also write the pipeline's Docs with translation, alignment "
                                                          "and outcomes (DocBin with user data) for `spacy_transalign view`"),
    cache_dir: Optional[Path] = typer.Option(None),
    gpu_id: int = -1,
) -> None:
    if gpu_id >= 0:
        spacy.require_gpu(gpu_id)
    reverse = method == "reverse"
    try:
        settings = ProjectionSettings(
            method=method, src_lang=src_lang, translator=translator, aligner=aligner, strategy=strategy, mt_model=mt_model,
            align_model=align_model, align_layer=align_layer, src_code=src_code, max_new_tokens=max_new_tokens,
            lora_path=lora_path, annotate_with=annotate_with, label_map=parse_label_map(label_map),
            cache_dir=str(cache_dir) if cache_dir else None, gpu_id=gpu_id)
        # eflomal learns from what it is given, and the label vote sees every Doc: one batch for the corpus
        nlp = build_pipeline(settings, tgt_lang, tgt_code, vote=True, batch_size=10**9)
    except ValueError as err:
        raise typer.BadParameter(str(err)) from err
    docs = list(DocBin().from_disk(input).get_docs(nlp.vocab))
    if reverse:
        try:
            check_unlabelled(docs, str(input))
        except ValueError as err:
            raise typer.BadParameter(str(err)) from err
    reused_before = SHARED_STATES.hits
    started = time.perf_counter()
    out, filtered, view = DocBin(store_user_data=False), DocBin(store_user_data=False), DocBin(store_user_data=True)
    kept = empty = entities_in = 0
    for doc in pipe_by_component(nlp, docs):  # a bar per component: eflomal and the vote see the whole corpus at once
        translation = doc._.translation
        source = translation if reverse else doc
        entities_in += len(source.ents) if source is not None else 0
        if translation is None or len(translation) == 0:
            empty += 1
            continue
        target = doc if reverse else translation
        if view_output:
            view.add(doc)
        out.add(target)
        if not any(o["reason"].startswith("dropped") for o in doc._.projection or []):
            filtered.add(target)
        kept += 1
    seconds = time.perf_counter() - started
    projector = nlp.get_pipe("transalign_projector")
    translator_pipe = nlp.get_pipe("transalign_translator")
    outcomes = {k: v for k, v in sorted(projector.summary.items()) if k.startswith(("projected", "dropped", "marker", "overwritten", "skipped"))}
    summary = {
        "method": method, "translator": translator, "aligner": aligner, "strategy": strategy,
        "docs_in": len(docs), "docs_out": kept, "docs_with_empty_translation": empty,
        "entities_in": entities_in,
        "entities_out": sum(len(d.ents) for d in out.get_docs(spacy.blank(tgt_lang).vocab)),
        "outcomes": outcomes, "relabelled_by_vote": projector.summary["relabelled_by_vote"],
        "seconds": round(seconds, 1), "sentences": translator_pipe.summary["sentences"],
        "sentences_translated": translator_pipe.summary["translated"] if cache_dir else translator_pipe.summary["sentences"],
    }
    if aligner == "transalign":  # sentences whose source encoder states came from the translator
        summary["encoder_states_reused"] = SHARED_STATES.hits - reused_before
        summary["lora_path"] = lora_path or None
    if view_output:
        write_docbin(view_output, view)
    if filtered_output:
        summary["docs_without_dropped_entities"] = len(filtered)
        write_docbin(filtered_output, filtered)
    write_docbin(output, out)
    write_json(summary_path, summary)
    typer.echo(json.dumps(summary, indent=2))


if __name__ == "__main__":
    run_script(main)
