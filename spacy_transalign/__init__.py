"""spacy-transalign: cross-lingual named-entity projection for spaCy, with TransAlign word alignment."""
from .about import __version__
from .alignment import WordAlignment, read_pharaoh_file
from .aligners.encoder import EncoderAligner
from .extensions import register_extensions
from .aligners import eflomal as _eflomal  # noqa: F401  (registers spacy-transalign.EflomalAligner.v1)
from .pipes import aligner as _aligner_pipe, projector as _projector_pipe, translator as _translator_pipe  # noqa: F401
from .translators import apertium as _apertium, ct2 as _ct2, hf as _hf  # noqa: F401  (register backends)
from .projection.strategies import HullProjection, Projection, SupportProjection, get_strategy
from .viewer import render, serve

__all__ = [
    "__version__",
    "WordAlignment",
    "read_pharaoh_file",
    "EncoderAligner",
    "register_extensions",
    "Projection",
    "HullProjection",
    "SupportProjection",
    "get_strategy",
    "render",
    "serve",
]
