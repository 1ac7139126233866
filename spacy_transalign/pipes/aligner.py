"""``transalign_aligner``: word alignment between each Doc and ``doc._.translation``."""

import logging
from typing import Callable, Dict, Iterable, List, Optional, Protocol, Sequence, Tuple

from spacy.language import Language
from spacy.tokens import Doc

from ..alignment import WordAlignment
from ..extensions import register_extensions
from .base import BatchPipe
from ..languages import UnknownLanguageError, spacy_to_flores

logger = logging.getLogger("spacy_transalign")


class Aligner(Protocol):
    """What ``transalign_aligner`` needs from a backend (EncoderAligner, EflomalAligner, ...)."""

    def align(
        self,
        src_words: Sequence[Sequence[str]],
        tgt_words: Sequence[Sequence[str]],
        src_lang: Optional[str] = None,
        tgt_lang: Optional[str] = None,
    ) -> List[WordAlignment]: ...


@Language.factory(
    "transalign_aligner",
    requires=["doc._.translation"],
    assigns=["doc._.alignment"],
    default_config={"aligner": {"@misc": "spacy-transalign.EncoderAligner.v1"}, "batch_size": 256},
)
def make_aligner(nlp: Language, name: str, aligner: Aligner, batch_size: int) -> "AlignerComponent":
    return AlignerComponent(nlp, name, aligner=aligner, batch_size=batch_size)


def content_tokens(doc: Doc) -> Tuple[List[str], List[int]]:
    """Token texts to align and their token indices: whitespace tokens are never aligned."""
    keep = [t.i for t in doc if not t.is_space]
    return [doc[i].text for i in keep], keep


def _flores(lang: str) -> Optional[str]:
    try:
        return spacy_to_flores(lang)
    except UnknownLanguageError:
        return None  # the backend's configured code (or none) is used


class AlignerComponent(BatchPipe):
    """Sets ``doc._.alignment`` (a WordAlignment over token indices) for Docs with a translation."""

    def __init__(self, nlp: Language, name: str, *, aligner: Aligner, batch_size: int = 256):
        register_extensions()
        self.name = name
        self.aligner = aligner
        self.batch_size = batch_size

    def initialize(self, get_examples: Optional[Callable[[], Iterable]] = None, *, nlp: Optional[Language] = None) -> None:
        if hasattr(self.aligner, "initialize"):
            self.aligner.initialize()

    def process_batch(self, docs: Sequence[Doc]) -> None:
        self.set_alignments(docs)

    def set_alignments(self, docs: Sequence[Doc]) -> None:
        """Align the Docs that have a translation, grouped by language pair."""
        groups: Dict[Tuple[str, str], List[Doc]] = {}
        missing = 0
        for doc in docs:
            if doc._.translation is None:
                missing += 1
                continue
            groups.setdefault((doc.lang_, doc._.translation.lang_), []).append(doc)
        if missing:
            logger.debug("%s: %d Docs without doc._.translation were left unaligned", self.name, missing)
        for (src_lang, tgt_lang), group in groups.items():
            src = [content_tokens(doc) for doc in group]
            tgt = [content_tokens(doc._.translation) for doc in group]
            alignments = self.aligner.align(
                [words for words, _ in src],
                [words for words, _ in tgt],
                src_lang=_flores(src_lang),
                tgt_lang=_flores(tgt_lang),
            )
            for doc, (_, src_idx), (_, tgt_idx), alignment in zip(group, src, tgt, alignments):
                doc._.alignment = WordAlignment(
                    [(src_idx[i], tgt_idx[j]) for i, j in alignment.pairs], scores=alignment.scores
                )
