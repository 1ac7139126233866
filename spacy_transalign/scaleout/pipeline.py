"""The projection pipeline of a corpus run, built from plain settings (so a worker can build it).

Settings are a small dataclass of strings and numbers: they travel to Ray actors as they are
and say everything the translator, aligner and projector need. The projector's label vote is
off here: over a sharded corpus it is a map (count per shard) and reduce step of its own
(:mod:`.run` with :mod:`..projection.voting`), so it sees the whole corpus as the single-process run does.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from ..extensions import register_extensions
from ..languages import UnknownLanguageError, to_spacy_lang

METHODS = ("alignment", "marker", "reverse")


@dataclass(frozen=True)
class ProjectionSettings:
    method: str = "alignment"  # alignment | marker (markers first, alignment as fallback) | reverse
    src_lang: str = "en"
    translator: str = "apertium"  # apertium | nllb
    aligner: str = "eflomal"  # eflomal | transalign
    strategy: str = "support"  # support | hull
    mt_model: str = "facebook/nllb-200-distilled-600M"
    align_model: str = "facebook/nllb-200-distilled-600M"
    align_layer: int = 12
    src_code: str = "eng_Latn"  # the target languages' codes are per language (build_pipeline)
    max_new_tokens: int = 256
    lora_path: str = ""
    annotate_with: Optional[str] = None  # reverse: the source-language NER pipeline
    label_map: Optional[Dict[str, str]] = None
    # reverse: more source-language NER pipelines, each {"pipeline": name, "label_map": map or None};
    # each tags the same translations and projects through the same alignment (one output each)
    more_annotators: List[Dict[str, Any]] = field(default_factory=list)
    cache_dir: Optional[str] = None
    gpu_id: int = -1
    batch_size: int = 2000

    def to_dict(self) -> Dict:
        return asdict(self)


def translator_config(settings: ProjectionSettings, src: str, tgt: str, src_code: str, tgt_code: str) -> dict:
    if settings.translator == "apertium":
        return {"@misc": "spacy-transalign.ApertiumTranslator.v1", "pair": f"{src}-{tgt}",
                "format": "html" if settings.method == "marker" else "txt"}
    if settings.translator == "nllb":
        if settings.method == "marker":
            raise ValueError("marker projection needs a markup-preserving translator (apertium)")
        return {"@misc": "spacy-transalign.HFTranslator.v1", "model": settings.mt_model, "src_lang": src_code,
                "tgt_lang": tgt_code, "max_new_tokens": settings.max_new_tokens}
    raise ValueError(f"unknown translator {settings.translator!r} (apertium or nllb)")


def aligner_config(settings: ProjectionSettings, src_code: str, tgt_code: str) -> dict:
    if settings.aligner == "eflomal":
        return {"@misc": "spacy-transalign.EflomalAligner.v1"}
    if settings.aligner == "transalign":
        return {"@misc": "spacy-transalign.EncoderAligner.v1", "model": settings.align_model, "layer": settings.align_layer,
                "src_lang": src_code, "tgt_lang": tgt_code, "lora_path": settings.lora_path or None}
    raise ValueError(f"unknown aligner {settings.aligner!r} (eflomal or transalign)")


def parse_label_map(text: str) -> Optional[Dict[str, str]]:
    """``PERSON=PER,GPE=LOC`` -> ``{"PERSON": "PER", "GPE": "LOC"}``; empty text: no map."""
    if not text.strip():
        return None
    pairs = [item.split("=") for item in text.split(",") if item.strip()]
    if any(len(p) != 2 or not all(x.strip() for x in p) for p in pairs):
        raise ValueError(f"label map {text!r}: expected SOURCE=TARGET pairs separated by commas")
    return {a.strip(): b.strip() for a, b in pairs}


def annotator_specs(pipelines: List[str], label_maps: List[str]) -> List[Dict[str, Any]]:
    """``--also-annotate-with`` / ``--also-label-map`` pairs -> ``ProjectionSettings.more_annotators``."""
    if len(pipelines) != len(label_maps):
        raise ValueError("give one --also-label-map ('' for none) per --also-annotate-with")
    return [{"pipeline": name, "label_map": parse_label_map(text)} for name, text in zip(pipelines, label_maps)]


def check_annotator(name: str, option: str = "--annotate-with") -> None:
    """The reverse method's source-language NER pipelines must exist before any work starts."""
    if not (Path(name).exists() or spacy.util.is_package(name)):
        raise ValueError(
            f"{option} {name!r}: no such spaCy pipeline (neither a folder nor an installed package). "
            "Run the workflow's train-source step, or install one (python -m spacy download en_core_web_sm) and pass "
            "--vars.english_ner en_core_web_sm --vars.label_map PERSON=PER,GPE=LOC,LOC=LOC,ORG=ORG")


def check_unlabelled(docs: Iterable[Doc], source: str) -> None:
    """The reverse method reads raw target-language text: annotated Docs mean the wrong input."""
    if any(doc.has_annotation("ENT_IOB") for doc in docs):
        raise ValueError(f"{source}: --method reverse takes unlabelled text, but its Docs carry entity annotation")


def spacy_lang(code: str) -> str:
    """The spaCy language of a target's Docs: its own rules, or spaCy's multi-language ``xx``
    (Galician, for one, has no spaCy rules but an Apertium pair)."""
    try:
        return to_spacy_lang(code)
    except UnknownLanguageError:
        return "xx"


STRATEGIES = {"support": "spacy-transalign.SupportProjection.v1", "hull": "spacy-transalign.HullProjection.v1"}


def check_settings(settings: ProjectionSettings) -> None:
    """Every choice known and the reverse method's pipeline present, before any shard starts:
    a typo is one clear error, not a failure per shard."""
    if settings.method not in METHODS:
        raise ValueError(f"unknown method {settings.method!r} ({', '.join(METHODS)})")
    translator_config(settings, "en", "es", "eng_Latn", "spa_Latn")
    aligner_config(settings, "eng_Latn", "spa_Latn")
    if settings.strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {settings.strategy!r} (support or hull)")
    if settings.method == "reverse":
        if not settings.annotate_with:
            raise ValueError("--method reverse needs --annotate-with (an English NER pipeline)")
        check_annotator(settings.annotate_with)
    for spec in settings.more_annotators:
        if settings.method != "reverse":
            raise ValueError("more annotators (--also-annotate-with) belong to --method reverse")
        if set(spec) != {"pipeline", "label_map"}:
            raise ValueError(f"an extra annotator is {{'pipeline': ..., 'label_map': ...}}, not {spec!r}")
        check_annotator(spec["pipeline"], "--also-annotate-with")


def build_pipeline(settings: ProjectionSettings, tgt_lang: str, tgt_code: str, vote: bool, batch_size: int) -> Language:
    """A blank pipeline of the Docs' language with the three components.

    For ``reverse`` the Docs are target-language text translated into the source language;
    ``batch_size`` is the aligner's and projector's (eflomal learns from one batch)."""
    check_settings(settings)
    register_extensions()
    reverse = settings.method == "reverse"
    doc_lang, other_lang = (tgt_lang, settings.src_lang) if reverse else (settings.src_lang, tgt_lang)
    doc_code, other_code = (tgt_code, settings.src_code) if reverse else (settings.src_code, tgt_code)
    nlp = spacy.blank(spacy_lang(doc_lang))
    nlp.add_pipe("transalign_translator", config={
        "translator": translator_config(settings, doc_lang, other_lang, doc_code, other_code),
        "target_lang": spacy_lang(other_lang), "batch_size": settings.batch_size, "cache_dir": settings.cache_dir,
        "mark_entities": settings.method == "marker", "annotate_with": settings.annotate_with if reverse else None})
    nlp.add_pipe("transalign_aligner", config={"aligner": aligner_config(settings, doc_code, other_code), "batch_size": batch_size})
    nlp.add_pipe("transalign_projector", config=projector_config(settings, settings.label_map, vote, batch_size))
    return nlp


def projector_config(settings: ProjectionSettings, label_map: Optional[Dict[str, str]], vote: bool, batch_size: int) -> dict:
    return {"strategy": {"@misc": STRATEGIES[settings.strategy]}, "batch_size": batch_size, "vote_labels": vote,
            "direction": "from_translation" if settings.method == "reverse" else "to_translation", "label_map": label_map}
