"""``transalign_translator``: ``doc._.translation`` = the Doc's translation, sentence by sentence.

Translating sentence by sentence keeps long Docs under the model's length limit and gives the
translation Doc the same sentence boundaries. The translation is tokenised by the target
language's spaCy tokenizer (or by the ``annotate_with`` pipeline, which also tags it: the
translate-test setup).
"""

import logging
from collections import Counter
from typing import Callable, Iterable, List, Optional, Sequence, Tuple

import spacy
from spacy.language import Language
from spacy.pipeline import Sentencizer
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from ..extensions import register_extensions
from .base import BatchPipe
from ..languages import UnknownLanguageError, to_spacy_lang
from ..projection import markers
from ..translators.base import Translator
from ..translators.cache import TranslationCache

logger = logging.getLogger("spacy_transalign")


@Language.factory(
    "transalign_translator",
    assigns=["doc._.translation"],
    default_config={
        "translator": {"@misc": "spacy-transalign.HFTranslator.v1"},
        "target_lang": None,
        "batch_size": 64,
        "cache_dir": None,
        "annotate_with": None,
        "mark_entities": False,
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
    mark_entities: bool,
) -> "TranslatorComponent":
    return TranslatorComponent(
        name, translator=translator, target_lang=target_lang, batch_size=batch_size, cache_dir=cache_dir,
        annotate_with=annotate_with, mark_entities=mark_entities,
    )


def target_spacy_lang(translator: Translator, target_lang: Optional[str]) -> str:
    code = target_lang or getattr(translator, "target_lang", "")
    if not code:
        raise ValueError("Set target_lang (a spaCy language code): the translator does not name its target language")
    try:
        return to_spacy_lang(code)
    except UnknownLanguageError as err:
        raise ValueError(f"Cannot derive a spaCy language from {code!r}: set target_lang explicitly ({err})") from err


class TranslatorComponent(BatchPipe):
    def __init__(
        self,
        name: str,
        *,
        translator: Translator,
        target_lang: Optional[str] = None,
        batch_size: int = 64,
        cache_dir: Optional[str] = None,
        annotate_with: Optional[str] = None,
        mark_entities: bool = False,
    ):
        register_extensions()
        if mark_entities and not getattr(translator, "supports_markup", False):
            raise ValueError(
                "mark_entities=True needs a translator that keeps inline markup, e.g. "
                "ApertiumTranslator with format = \"html\""
            )
        self.mark_entities = mark_entities
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

    # --- pipeline API ---------------------------------------------------------------------
    def process_batch(self, docs: Sequence[Doc]) -> None:
        sentences = [self.sentence_spans(doc) for doc in docs]
        self._check_lengths([[text for _, text in sents] for sents in sentences], "sentence of", "before translating")
        flat = [text for doc_sents in sentences for _, text in doc_sents]
        if self.mark_entities:
            flat = [markers.mark(text, ents) for text, ents in self._marked_entities(sentences)]
        translated = iter(self._translate(flat) if flat else [])
        per_doc = [[next(translated) for _ in sents] for sents in sentences]
        self._check_lengths(per_doc, "sentence whose translation has", "after translating (a cache_dir keeps the translations)")
        built = [self._build(doc, sents, texts) for doc, sents, texts in zip(docs, sentences, per_doc)]
        if self.annotate_with:
            built = list(self.target_nlp.pipe(built))
        for doc, translation in zip(docs, built):
            doc._.translation = translation
        self.summary["docs"] += len(docs)
        self.summary["sentences"] += len(flat)
        self.summary["source_tokens"] += sum(len(d) for d in docs)
        self.summary["target_tokens"] += sum(len(t) for t in built)

    # --- steps ---------------------------------------------------------------------------
    def _check_lengths(self, texts: List[List[str]], what: str, when: str) -> None:
        """spaCy refuses to tokenise a text over ``max_length``: say so with the setting, not E088.
        ``texts``: each Doc's sentences."""
        limit = self.target_nlp.max_length
        for k, sents in enumerate(texts):
            for text in sents:
                if len(text) > limit:
                    raise ValueError(
                        f"{self.name}: Doc {k} of the batch has a {what} {len(text):,} characters, over the target "
                        f"pipeline's max_length ({limit:,}); stopped {when}. Split it into shorter sentences (sentence "
                        f"starts on the Doc) or raise component.target_nlp.max_length.")

    def sentence_spans(self, doc: Doc) -> List[Tuple[Span, str]]:
        """Non-empty sentences with their stripped text: the Doc's own, else a rule-based split."""
        if not doc.text.strip():
            return []
        if doc.has_annotation("SENT_START"):
            spans = list(doc.sents)
        else:
            starts = self._sentencizer.predict([doc])[0]
            bounds = [k for k, start in enumerate(starts) if start or k == 0] + [len(doc)]
            spans = [doc[s:e] for s, e in zip(bounds, bounds[1:])]
        return [(span, span.text.strip()) for span in spans if span.text.strip()]

    def sentence_texts(self, doc: Doc) -> List[str]:
        return [text for _, text in self.sentence_spans(doc)]

    @staticmethod
    def _sentence_ents(span: Span, text: str) -> List[Tuple[Span, int, int]]:
        """The Doc's entities inside ``span``, with character offsets into its stripped ``text``."""
        shift = span.start_char + len(span.text) - len(span.text.lstrip())
        return [
            (ent, ent.start_char - shift, ent.end_char - shift)
            for ent in span.doc.ents
            if ent.start >= span.start and ent.end <= span.end
        ]

    def _marked_entities(self, sentences):
        for sents in sentences:
            for span, text in sents:
                yield text, [(start, end, ent.label_) for ent, start, end in self._sentence_ents(span, text)]

    def _translate(self, texts: List[str]) -> List[str]:
        """Plain text, or with ``mark_entities`` HTML fragments (escaped text + markers)."""
        translate = self.translator.translate_markup if self.mark_entities else self.translator.translate
        if not self.cache_dir:
            return translate(texts)
        if self._cache is None:
            self._cache = TranslationCache(self.cache_dir)
        before = self._cache.misses
        key = self.translator.markup_cache_key if self.mark_entities else self.translator.cache_key
        result = self._cache.translate(key, texts, translate)
        self.summary["translated"] += self._cache.misses - before
        return result

    def _build(self, doc: Doc, sentences: List[Tuple[Span, str]], translations: List[str]) -> Doc:
        """One Doc from per-sentence translations, with a sentence start at each.

        With ``mark_entities``, markers become the translation's entities and every source
        entity's outcome goes to ``doc._.projection`` (the projector falls back to the
        alignment for entities whose marker was lost).
        """
        make_doc = self.target_nlp.make_doc
        parts: List[Doc] = []
        outcomes: List[dict] = []
        offset = 0
        for (span, text), translation in zip(sentences, translations):
            found: dict = {}
            if self.mark_entities:
                translation, found = markers.unmark(translation)
            part = make_doc(translation.strip()) if translation.strip() else None
            entities = self._sentence_ents(span, text) if self.mark_entities else []
            placed = {}
            if part is not None and len(part):
                for k, (start, end) in found.items():
                    if k >= len(entities):  # a marker id the engine invented
                        continue
                    ent = part.char_span(start, end, label=entities[k][0].label_, alignment_mode="expand")
                    if ent is not None:
                        placed[k] = ent
                kept = filter_spans(list(placed.values()))
                placed = {k: e for k, e in placed.items() if e in kept}
                if self.mark_entities and doc.has_annotation("ENT_IOB"):  # else the translation stays unannotated
                    part.set_ents(kept, default="outside")
                for k, token in enumerate(part):
                    token.is_sent_start = k == 0
                parts.append(part)
            for k, (ent, _, _) in enumerate(entities):
                target = [placed[k].start + offset, placed[k].end + offset] if k in placed else None
                outcomes.append({"source": [ent.start, ent.end], "label": ent.label_, "text": ent.text,
                                 "target": target, "reason": "projected_by_marker" if target else "marker_lost"})
            offset += len(part) if part is not None else 0
        if self.mark_entities:
            doc._.projection = outcomes
            self.summary.update(o["reason"] for o in outcomes)
        if not parts:
            return Doc(self.target_nlp.vocab, words=[])
        return Doc.from_docs(parts, ensure_whitespace=True)
