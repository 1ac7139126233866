"""``transalign_translator``: ``doc._.translation`` = the Doc's translation, sentence by sentence.

Translating sentence by sentence keeps long Docs under the model's length limit and gives the
translation Doc the same sentence boundaries. The translation is tokenised by the target
language's spaCy tokenizer (or by the ``annotate_with`` pipeline, which also tags it: the
translate-test setup).
"""
from __future__ import annotations

import logging
from collections import Counter
from typing import Callable, Iterable, Iterator, List, Optional, Sequence

import spacy
from spacy.language import Language
from spacy.pipeline import Sentencizer
from spacy.tokens import Doc
from spacy.util import minibatch

from ..extensions import register_extensions
from ..languages import UnknownLanguageError, to_spacy_lang
from ..translators.base import Translator
from ..translators.cache import TranslationCache

logger = logging.getLogger("spacy_transalign")


@Language.factory(
    "transalign_translator",
    default_config={
        "translator": {"@misc": "spacy-transalign.HFTranslator.v1"},
        "target_lang": None,
        "batch_size": 64,
        "cache_dir": None,
        "annotate_with": None,
    },
)
def make_translator(
    nlp: Language,
    name: str,
    translator: Translator,
    target_lang: Optional[str],
    batch_size: int,
    cache_dir: Optional[str],
    annotate_with: Optional[str],
) -> "TranslatorComponent":
    return TranslatorComponent(
        name, translator=translator, target_lang=target_lang, batch_size=batch_size, cache_dir=cache_dir,
        annotate_with=annotate_with,
    )


def target_spacy_lang(translator: Translator, target_lang: Optional[str]) -> str:
    code = target_lang or getattr(translator, "target_lang", "")
    if not code:
        raise ValueError("Set target_lang (a spaCy language code): the translator does not name its target language")
    try:
        return to_spacy_lang(code)
    except UnknownLanguageError as err:
        raise ValueError(f"Cannot derive a spaCy language from {code!r}: set target_lang explicitly ({err})") from err


class TranslatorComponent:
    def __init__(
        self,
        name: str,
        *,
        translator: Translator,
        target_lang: Optional[str] = None,
        batch_size: int = 64,
        cache_dir: Optional[str] = None,
        annotate_with: Optional[str] = None,
    ):
        register_extensions()
        self.name = name
        self.translator = translator
        self.batch_size = batch_size
        self.cache_dir = cache_dir
        self.annotate_with = annotate_with
        self.target_lang = target_spacy_lang(translator, target_lang) if not annotate_with else target_lang
        self._target_nlp: Optional[Language] = None
        self._cache: Optional[TranslationCache] = None
        self._sentencizer = Sentencizer()
        self.summary: Counter = Counter()

    # --- lazy resources ------------------------------------------------------------------
    @property
    def target_nlp(self) -> Language:
        if self._target_nlp is None:
            self._target_nlp = spacy.load(self.annotate_with) if self.annotate_with else spacy.blank(self.target_lang)
        return self._target_nlp

    def initialize(self, get_examples: Optional[Callable[[], Iterable]] = None, *, nlp: Optional[Language] = None) -> None:
        if hasattr(self.translator, "initialize"):
            self.translator.initialize()
        self.target_nlp  # noqa: B018  (load now rather than on the first Doc)

    # --- pipeline API --------------------------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        self.translate_docs([doc])
        return doc

    def pipe(self, stream: Iterable[Doc], *, batch_size: Optional[int] = None) -> Iterator[Doc]:
        for docs in minibatch(stream, size=batch_size or self.batch_size):
            self.translate_docs(docs)
            yield from docs

    def translate_docs(self, docs: Sequence[Doc]) -> None:
        sentences = [self.sentence_texts(doc) for doc in docs]
        flat = [s for doc_sents in sentences for s in doc_sents]
        translated = iter(self._translate(flat) if flat else [])
        built = [self._build([next(translated) for _ in doc_sents]) for doc_sents in sentences]
        if self.annotate_with:
            built = list(self.target_nlp.pipe(built))
        for doc, translation in zip(docs, built):
            doc._.translation = translation
        self.summary["docs"] += len(docs)
        self.summary["sentences"] += len(flat)
        self.summary["source_tokens"] += sum(len(d) for d in docs)
        self.summary["target_tokens"] += sum(len(t) for t in built)

    # --- steps ---------------------------------------------------------------------------
    def sentence_texts(self, doc: Doc) -> List[str]:
        """Non-empty sentence texts: the Doc's own sentences, else a rule-based split."""
        if not doc.text.strip():
            return []
        if doc.has_annotation("SENT_START"):
            spans = [(s.start, s.end) for s in doc.sents]
        else:
            starts = self._sentencizer.predict([doc])[0]
            bounds = [k for k, start in enumerate(starts) if start or k == 0] + [len(doc)]
            spans = list(zip(bounds, bounds[1:]))
        texts = [doc[s:e].text.strip() for s, e in spans]
        return [t for t in texts if t]

    def _translate(self, texts: List[str]) -> List[str]:
        if not self.cache_dir:
            return self.translator.translate(texts)
        if self._cache is None:
            self._cache = TranslationCache(self.cache_dir)
        before = self._cache.misses
        result = self._cache.translate(self.translator.cache_key, texts, self.translator.translate)
        self.summary["translated"] += self._cache.misses - before
        return result

    def _build(self, translations: List[str]) -> Doc:
        """One Doc from per-sentence translations, with a sentence start at each."""
        make_doc = self.target_nlp.make_doc
        parts = [make_doc(t) for t in translations if t.strip()]
        parts = [p for p in parts if len(p)]
        if not parts:
            return Doc(self.target_nlp.vocab, words=[])
        for part in parts:
            for k, token in enumerate(part):
                token.is_sent_start = k == 0
        return Doc.from_docs(parts, ensure_whitespace=True)
