"""EflomalAligner: statistical word alignment (eflomal, Östling & Tiedemann 2016), no weights needed.

eflomal learns from the batch it is given, so it aligns a whole corpus (or a large batch) at
once; give it plenty of sentences (the component's ``batch_size``), or a ``prior_corpus`` of
extra parallel text that is aligned along with the input and then discarded.

eflomal picks its number of sampling iterations from the corpus size, and on a small input
that number explodes (one 400-word pair: 52 s). Unless ``n_iterations`` is set, inputs under
``SMALL_CORPUS`` pairs run at most ``MAX_AUTO_ITERATIONS`` (5000/sqrt(pairs), as for
2,500 pairs); larger inputs keep eflomal's own choice. Fewer than ``TOO_FEW`` pairs get a
warning: eflomal has too little text to learn from and its links are close to random.
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

SMALL_CORPUS = 2500
MAX_AUTO_ITERATIONS = 100
TOO_FEW = 200


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
        if len(src) < TOO_FEW:
            logger.warning("eflomal aligns %d sentence pairs: too little text to learn from, links will be close to "
                           "random. Align a larger batch (the aligner component's batch_size) or add a prior_corpus.", len(src))
        logger.info("eflomal: aligning %d sentence pairs in one pass (it reports nothing until it ends)", len(src))
        iterations = auto_iterations(len(src)) if self.n_iterations is None else self.n_iterations
        if iterations is not None:
            iterations = (iterations,) * 3  # eflomal wants one count per model (1 to 3)
        with tempfile.TemporaryDirectory() as tmp:
            fwd_path, bwd_path = os.path.join(tmp, "fwd"), os.path.join(tmp, "bwd")
            aligner = eflomal.Aligner(model=self.model, n_iterations=iterations, n_samplers=self.n_samplers)
            aligner.align(src, tgt, links_filename_fwd=fwd_path, links_filename_rev=bwd_path, quiet=True)
            forward = read_pharaoh_file(fwd_path)
            backward = read_pharaoh_file(bwd_path)
        for k, fwd, bwd in zip(todo, forward, backward):
            result[k] = WordAlignment(symmetrize(fwd.pairs, bwd.pairs, self.symmetrization))
        return result

    __call__ = align


def auto_iterations(n_pairs: int) -> Optional[int]:
    """None (eflomal decides) for large inputs; a bounded count for small ones."""
    if n_pairs >= SMALL_CORPUS:
        return None
    return max(2, min(MAX_AUTO_ITERATIONS, round(5000 / max(n_pairs, 1) ** 0.5)))


def _import_eflomal():
    try:
        import eflomal
    except ImportError as err:
        raise ImportError("EflomalAligner needs eflomal: pip install 'spacy-transalign[eflomal]'") from err
    return eflomal


registry.misc.register("spacy-transalign.EflomalAligner.v1", func=EflomalAligner)
