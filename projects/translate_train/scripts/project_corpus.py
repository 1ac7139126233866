"""Projection of a corpus with the plugin's three components; the output is target-language Docs.

- ``alignment`` / ``marker`` (translate-train): English Docs with entities are translated into the
  target language and their entities projected onto the translations, which are kept.
- ``reverse``: *unlabelled* target-language Docs are translated into English, tagged there by an
  English pipeline (``--annotate-with``) and the tags projected back (projector
  ``direction="from_translation"``); the target-language Docs are kept.

Also written: a JSON summary of every entity's outcome, with ``--filtered-output`` the Docs
whose every entity was projected (sentence-level filtering), and with ``--view-output`` the
pipeline's own Docs (translation, alignment and outcomes in user data) for the viewer. The translation cache makes an
interrupted run resume cheaply; outputs are written atomically.
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


def translator_config(translator: str, method: str, src: str, tgt: str, model: str, src_code: str, tgt_code: str,
                      max_new_tokens: int = 256) -> dict:
    if translator == "apertium":
        return {"@misc": "spacy-transalign.ApertiumTranslator.v1", "pair": f"{src}-{tgt}",
                "format": "html" if method == "marker" else "txt"}
    if translator == "nllb":
        if method == "marker":
            raise typer.BadParameter("marker projection needs a markup-preserving translator (apertium)")
        return {"@misc": "spacy-transalign.HFTranslator.v1", "model": model, "src_lang": src_code, "tgt_lang": tgt_code,
                "max_new_tokens": max_new_tokens}
    raise typer.BadParameter(f"unknown translator {translator!r}")


def aligner_config(aligner: str, model: str, layer: int, src_code: str, tgt_code: str, lora_path: str = "") -> dict:
    if aligner == "eflomal":
        return {"@misc": "spacy-transalign.EflomalAligner.v1"}
    if aligner == "transalign":
        return {"@misc": "spacy-transalign.EncoderAligner.v1", "model": model, "layer": layer,
                "src_lang": src_code, "tgt_lang": tgt_code, "lora_path": lora_path or None}
    raise typer.BadParameter(f"unknown aligner {aligner!r}")


def parse_label_map(text: str) -> Optional[dict]:
    if not text.strip():
        return None
    pairs = [item.split("=") for item in text.split(",") if item.strip()]
    if any(len(p) != 2 or not all(x.strip() for x in p) for p in pairs):
        raise typer.BadParameter(f"--label-map {text!r}: expected SOURCE=TARGET pairs separated by commas")
    return {a.strip(): b.strip() for a, b in pairs}


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
    if reverse and not annotate_with:
        raise typer.BadParameter("--method reverse needs --annotate-with (an English NER pipeline)")
    if reverse and not (Path(annotate_with).exists() or spacy.util.is_package(annotate_with)):
        raise typer.BadParameter(
            f"--annotate-with {annotate_with!r}: no such spaCy pipeline (neither a folder nor an installed package). "
            "Run the workflow's train-source step, or install one (python -m spacy download en_core_web_sm) and pass "
            "--vars.english_ner en_core_web_sm --vars.label_map PERSON=PER,GPE=LOC,LOC=LOC,ORG=ORG")
    # reverse: the Docs are target-language text, translated into the source language
    doc_lang, other_lang = (tgt_lang, src_lang) if reverse else (src_lang, tgt_lang)
    doc_code, other_code = (tgt_code, src_code) if reverse else (src_code, tgt_code)
    nlp = spacy.blank(doc_lang)
    docs = list(DocBin().from_disk(input).get_docs(nlp.vocab))
    if reverse and any(doc.has_annotation("ENT_IOB") for doc in docs):
        raise typer.BadParameter(f"{input}: --method reverse takes unlabelled text, but its Docs carry entity annotation")
    nlp.add_pipe("transalign_translator", config={
        "translator": translator_config(translator, method, doc_lang, other_lang, mt_model, doc_code, other_code, max_new_tokens),
        "target_lang": other_lang, "batch_size": 2000, "cache_dir": str(cache_dir) if cache_dir else None,
        "mark_entities": method == "marker", "annotate_with": annotate_with if reverse else None})
    # eflomal learns from what it is given: align the whole corpus in one batch
    nlp.add_pipe("transalign_aligner", config={
        "aligner": aligner_config(aligner, align_model, align_layer, doc_code, other_code, lora_path), "batch_size": len(docs) or 1})
    strategy_name = {"support": "spacy-transalign.SupportProjection.v1", "hull": "spacy-transalign.HullProjection.v1"}[strategy]
    nlp.add_pipe("transalign_projector", config={"strategy": {"@misc": strategy_name}, "batch_size": len(docs) or 1,
                                                 "direction": "from_translation" if reverse else "to_translation",
                                                 "label_map": parse_label_map(label_map)})
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
