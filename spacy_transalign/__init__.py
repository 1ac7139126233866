"""spacy-transalign: cross-lingual named-entity projection for spaCy, with TransAlign word alignment."""
from .about import __version__
from .alignment import WordAlignment, read_pharaoh_file
from .aligners.encoder import EncoderAligner
from .extensions import register_extensions

__all__ = ["__version__", "WordAlignment", "read_pharaoh_file", "EncoderAligner", "register_extensions"]
