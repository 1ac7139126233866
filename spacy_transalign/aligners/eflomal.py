"""EflomalAligner: statistical word alignment (eflomal, Östling & Tiedemann 2016), no weights needed.

eflomal learns from the batch it is given, so it aligns a whole corpus (or a large batch) at
once; give it plenty of sentences (the component's ``batch_size``), or a ``prior_corpus`` of
extra parallel text that is aligned along with the input and then discarded.
"""

import logging
import os
import tempfile
from typing import List, Optional, Sequence

from spacy.util import registry

from ..alignment import WordAlignment, read_pharaoh_file
from ..corpora import read_parallel
from .symmetrize import Symmetrization, symmetrize

logger = logging.getLogger("spacy_transalign")


class EflomalAligner:
    def __init__(
        self,
        symmetrization: Symmetrization = "grow-diag-final-and",
        model: int = 3,
        n_iterations: Optional[int] = None,
        n_samplers: int = 3,
        prior_corpus: Optional[str] = None,
    ):
        self.symmetrization = symmetrization
        self.model = model
        self.n_iterations = n_iterations
        self.n_samplers = n_samplers
        self.prior_corpus = prior_corpus

    def initialize(self) -> None:
        _import_eflomal()

    def align(
        self,
        src_words: Sequence[Sequence[str]],
        tgt_words: Sequence[Sequence[str]],
        src_lang: Optional[str] = None,
        tgt_lang: Optional[str] = None,
    ) -> List[WordAlignment]:
        """Align all pairs jointly; empty sides give empty alignments (languages are not needed)."""
        if len(src_words) != len(tgt_words):
            raise ValueError(f"{len(src_words)} source sentences but {len(tgt_words)} target sentences")
        eflomal = _import_eflomal()
        extra = read_parallel(self.prior_corpus) if self.prior_corpus else []
        todo = [k for k, (s, t) in enumerate(zip(src_words, tgt_words)) if len(s) and len(t)]
        src = [" ".join(src_words[k]) for k in todo] + [" ".join(s) for s, _ in extra]
        tgt = [" ".join(tgt_words[k]) for k in todo] + [" ".join(t) for _, t in extra]
        result = [WordAlignment() for _ in src_words]
        if not todo:
            return result
        with tempfile.TemporaryDirectory() as tmp:
            fwd_path, bwd_path = os.path.join(tmp, "fwd"), os.path.join(tmp, "bwd")
            aligner = eflomal.Aligner(model=self.model, n_iterations=self.n_iterations, n_samplers=self.n_samplers)
            aligner.align(src, tgt, links_filename_fwd=fwd_path, links_filename_rev=bwd_path, quiet=True)
            forward = read_pharaoh_file(fwd_path)
            backward = read_pharaoh_file(bwd_path)
        for k, fwd, bwd in zip(todo, forward, backward):
            result[k] = WordAlignment(symmetrize(fwd.pairs, bwd.pairs, self.symmetrization))
        return result

    __call__ = align


def _import_eflomal():
    try:
        import eflomal
    except ImportError as err:
        raise ImportError("EflomalAligner needs eflomal: pip install 'spacy-transalign[eflomal]'") from err
    return eflomal


registry.misc.register("spacy-transalign.EflomalAligner.v1", func=EflomalAligner)
