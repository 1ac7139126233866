"""What the viewer shows of a Doc, as plain JSON: tokens, entities, links with scores, outcomes.

The page is drawn in the browser from these records (one renderer for ``render``, ``serve``
and the static report), so Python only decides *what* is shown and escapes nothing by hand:
the browser inserts every string as text, never as markup.
"""
from __future__ import annotations

from collections import Counter
from typing import Any, Dict, Iterable, List, Optional

from spacy.tokens import Doc

from ..extensions import register_extensions

RTL_LANGS = {"ar", "he", "fa", "ur", "yi", "ps", "sd", "ug", "dv", "ckb"}


def _direction(doc: Doc) -> str:
    direction = (doc.vocab.writing_system or {}).get("direction")
    if direction in ("ltr", "rtl"):
        return direction
    return "rtl" if doc.lang_ in RTL_LANGS else "ltr"


def _ents(doc: Doc) -> List[list]:
    return [[e.start, e.end, e.label_] for e in doc.ents]


def doc_record(doc: Doc, index: int = 0, direction: str = "to_translation") -> Dict[str, Any]:
    """A Doc with ``._.translation`` (and usually ``._.alignment``, ``._.projection``) as a record.

    ``src`` is always the Doc (top row), ``tgt`` its translation; ``links`` are ``[i, j, score]``
    with score ``None`` when the aligner gives none; ``outcomes`` say what happened to each
    entity. ``direction`` is the projector's: with ``from_translation`` the entities came from
    the translation, and an outcome's ``source`` indexes ``tgt``."""
    if direction not in ("to_translation", "from_translation"):
        raise ValueError(f"direction must be 'to_translation' or 'from_translation', not {direction!r}")
    register_extensions()
    translation: Optional[Doc] = doc._.translation
    if translation is None:
        raise ValueError(f"Doc {index} has no doc._.translation: run transalign_translator first")
    alignment = doc._.alignment
    links: List[list] = []
    if alignment is not None:
        scores = alignment.scores or [None] * len(alignment.pairs)
        links = [[int(i), int(j), None if s is None else round(float(s), 4)] for (i, j), s in zip(alignment.pairs, scores)]
    outcomes = []
    for o in doc._.projection or []:
        outcomes.append({"source": list(o["source"]) if o.get("source") is not None else None,
                         "target": list(o["target"]) if o.get("target") is not None else None,
                         "label": o.get("label"), "text": o.get("text"), "reason": o.get("reason")})
    return {
        "i": index, "direction": direction,
        "src": [t.text for t in doc], "tgt": [t.text for t in translation],
        "src_ents": _ents(doc), "tgt_ents": _ents(translation),
        "src_lang": doc.lang_, "tgt_lang": translation.lang_,
        "src_dir": _direction(doc), "tgt_dir": _direction(translation),
        "links": links, "outcomes": outcomes,
    }


def summarize(records: Iterable[Dict[str, Any]]) -> Dict[str, Any]:
    """Outcome counts per label, and entities per label on each side."""
    outcomes: Dict[str, Counter] = {}
    src_labels: Counter = Counter()
    tgt_labels: Counter = Counter()
    docs = 0
    for record in records:
        docs += 1
        src_labels.update(label for _, _, label in record["src_ents"])
        tgt_labels.update(label for _, _, label in record["tgt_ents"])
        for o in record["outcomes"]:
            outcomes.setdefault(o["reason"] or "unknown", Counter())[o["label"] or "?"] += 1
    return {"docs": docs, "outcomes": {k: dict(v) for k, v in sorted(outcomes.items())},
            "source_entities": dict(sorted(src_labels.items())), "target_entities": dict(sorted(tgt_labels.items()))}
