"""Translate-train projection of a source DocBin: translate, align, project, keep the target Docs.

Output: a DocBin of target-language Docs carrying the projected entities, and a JSON summary of
every source entity's outcome. The translation cache makes an interrupted run resume cheaply;
outputs are written atomically.
"""
import json
import time
from pathlib import Path
from typing import Optional

import spacy
import typer
from spacy.tokens import DocBin
from spacy_transalign.files import atomic_write
from spacy_transalign.progress import pipe_by_component


def translator_config(translator: str, method: str, src: str, tgt: str, model: str, src_code: str, tgt_code: str) -> dict:
    if translator == "apertium":
        return {"@misc": "spacy-transalign.ApertiumTranslator.v1", "pair": f"{src}-{tgt}",
                "format": "html" if method == "marker" else "txt"}
    if translator == "nllb":
        if method == "marker":
            raise typer.BadParameter("marker projection needs a markup-preserving translator (apertium)")
        return {"@misc": "spacy-transalign.HFTranslator.v1", "model": model, "src_lang": src_code, "tgt_lang": tgt_code}
    raise typer.BadParameter(f"unknown translator {translator!r}")


def aligner_config(aligner: str, model: str, layer: int, src_code: str, tgt_code: str) -> dict:
    if aligner == "eflomal":
        return {"@misc": "spacy-transalign.EflomalAligner.v1"}
    if aligner == "transalign":
        return {"@misc": "spacy-transalign.EncoderAligner.v1", "model": model, "layer": layer,
                "src_lang": src_code, "tgt_lang": tgt_code}
    raise typer.BadParameter(f"unknown aligner {aligner!r}")


def main(
    input: Path,
    output: Path,
    summary_path: Path,
    src_lang: str = "en",
    tgt_lang: str = "es",
    method: str = typer.Option("alignment", help="alignment | marker (markers first, alignment as fallback)"),
    translator: str = typer.Option("apertium", help="apertium | nllb"),
    aligner: str = typer.Option("eflomal", help="eflomal | transalign"),
    strategy: str = typer.Option("support", help="support | hull"),
    mt_model: str = "facebook/nllb-200-distilled-600M",
    align_model: str = "facebook/nllb-200-distilled-600M",
    align_layer: int = 12,
    src_code: str = "eng_Latn",
    tgt_code: str = "spa_Latn",
    cache_dir: Optional[Path] = typer.Option(None),
    gpu_id: int = -1,
) -> None:
    if gpu_id >= 0:
        spacy.require_gpu(gpu_id)
    nlp = spacy.blank(src_lang)
    docs = list(DocBin().from_disk(input).get_docs(nlp.vocab))
    nlp.add_pipe("transalign_translator", config={
        "translator": translator_config(translator, method, src_lang, tgt_lang, mt_model, src_code, tgt_code),
        "target_lang": tgt_lang, "batch_size": 2000, "cache_dir": str(cache_dir) if cache_dir else None,
        "mark_entities": method == "marker"})
    # eflomal learns from what it is given: align the whole corpus in one batch
    nlp.add_pipe("transalign_aligner", config={
        "aligner": aligner_config(aligner, align_model, align_layer, src_code, tgt_code), "batch_size": len(docs) or 1})
    strategy_name = {"support": "spacy-transalign.SupportProjection.v1", "hull": "spacy-transalign.HullProjection.v1"}[strategy]
    nlp.add_pipe("transalign_projector", config={"strategy": {"@misc": strategy_name}, "batch_size": len(docs) or 1})
    started = time.perf_counter()
    out = DocBin(store_user_data=False)
    kept = empty = 0
    for doc in pipe_by_component(nlp, docs):  # a bar per component: eflomal and the vote see the whole corpus at once
        translation = doc._.translation
        if translation is None or len(translation) == 0:
            empty += 1
            continue
        out.add(translation)
        kept += 1
    seconds = time.perf_counter() - started
    projector = nlp.get_pipe("transalign_projector")
    translator_pipe = nlp.get_pipe("transalign_translator")
    outcomes = {k: v for k, v in sorted(projector.summary.items()) if k.startswith(("projected", "dropped", "marker", "overwritten"))}
    summary = {
        "method": method, "translator": translator, "aligner": aligner, "strategy": strategy,
        "docs_in": len(docs), "docs_out": kept, "docs_with_empty_translation": empty,
        "entities_in": sum(len(d.ents) for d in docs),
        "entities_out": sum(len(d.ents) for d in out.get_docs(spacy.blank(tgt_lang).vocab)),
        "outcomes": outcomes, "relabelled_by_vote": projector.summary["relabelled_by_vote"],
        "seconds": round(seconds, 1), "sentences_translated": translator_pipe.summary["translated"],
    }
    with atomic_write(output, "wb") as f:
        f.write(out.to_bytes())
    with atomic_write(summary_path) as f:
        json.dump(summary, f, indent=2)
    typer.echo(json.dumps(summary, indent=2))


if __name__ == "__main__":
    typer.run(main)
