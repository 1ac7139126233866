"""Doc extensions and the msgpack codecs that let them survive DocBin and Doc.to_bytes.

``doc._.translation`` holds a real ``Doc`` (so ``doc._.translation.ents`` can be set), and
``doc._.alignment`` a :class:`WordAlignment`. Neither is msgpack-native, so we register srsly
codecs for them, the way spacy-transformers does for its ``TransformerData``.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import srsly
from spacy.tokens import Doc
from spacy.vocab import Vocab

from .alignment import WordAlignment

DOC_KEY = "__transalign_doc__"
ALIGNMENT_KEY = "__transalign_alignment__"

EXTENSIONS = {
    # name: default; values live in doc.user_data and therefore travel with DocBin
    "translation": None,  # target-language Doc
    "alignment": None,  # WordAlignment between doc tokens and doc._.translation tokens
    "projection": None,  # list of dicts: what happened to every source entity
}


def register_extensions() -> None:
    """Idempotent: safe to call in every worker process and on every import.

    Values live where spaCy keeps plain extension values (``doc.user_data[("._.", name, None,
    None)]``), behind a getter that decodes what a DocBin read *before* this package was
    imported left there as raw msgpack dicts."""
    for name, default in EXTENSIONS.items():
        if not Doc.has_extension(name):
            Doc.set_extension(name, getter=_getter(name, default), setter=_setter(name))


def _key(name: str) -> tuple:
    return ("._.", name, None, None)


def _getter(name: str, default: Any):
    key = _key(name)

    def get(doc: Doc) -> Any:
        value = doc.user_data.get(key, default)
        if isinstance(value, dict):
            decoded = decode(value)
            if decoded is not value:
                doc.user_data[key] = value = decoded
        return value

    return get


def _setter(name: str):
    key = _key(name)

    def set_(doc: Doc, value: Any) -> None:
        doc.user_data[key] = value

    return set_


@lru_cache(maxsize=None)
def vocab_for(lang: str) -> Vocab:
    """A language's vocabulary (lexeme attributes, writing system), shared within the process.

    Made from the language's defaults without building a ``Language``: that would load every
    installed package's spaCy factories (spacy-transformers: torch and transformers), which
    reading Docs never needs."""
    from spacy.util import get_lang_class
    from spacy.vocab import create_vocab

    try:
        return create_vocab(lang, get_lang_class(lang).Defaults)
    except Exception:  # unknown language code in old data: keep the words, lose the rules
        return create_vocab("xx", get_lang_class("xx").Defaults)


def encode(obj: Any, chain=None):
    if isinstance(obj, Doc):
        return {DOC_KEY: obj.to_bytes(), "lang": obj.lang_}
    if isinstance(obj, WordAlignment):
        return {ALIGNMENT_KEY: obj.to_dict()}
    return obj if chain is None else chain(obj)


def decode(obj: Any, chain=None):
    if isinstance(obj, dict):
        if DOC_KEY in obj:
            return Doc(vocab_for(obj["lang"])).from_bytes(obj[DOC_KEY])
        if ALIGNMENT_KEY in obj:
            return WordAlignment.from_dict(obj[ALIGNMENT_KEY])
    return obj if chain is None else chain(obj)


def register_codecs() -> None:
    srsly.msgpack_encoders.register("spacy_transalign", func=encode)
    srsly.msgpack_decoders.register("spacy_transalign", func=decode)


register_extensions()
register_codecs()
