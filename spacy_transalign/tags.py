"""Entity tagging schemes of BIO files: read BIOES and IO files as BIO, refuse anything else.

Projection and evaluation work on BIO (``O``, ``B-X``, ``I-X``; an ``I-X`` after ``O`` starts an
entity, as conlleval reads IOB1). A tag outside the scheme is an error that names its line:
dropping it silently turns a whole corpus into ``O``.
"""
import re
from typing import Iterable, List, Literal, Optional, Sequence

Scheme = Literal["auto", "bio", "bioes", "io"]
SCHEMES = ("auto", "bio", "bioes", "io")

_BIO = re.compile(r"O|[BI]-\S+")
_BIOES = re.compile(r"O|[BIES]-\S+")
_PREFIXED = re.compile(r"[A-Za-z]-\S+")
_HINTS = {"bioes": "BIOES tags (S-/E-): pass --scheme bioes", "io": "tags without B-/I- prefix: pass --scheme io"}


class TagSchemeError(ValueError):
    """A tag that does not fit the file's tagging scheme."""


def detect_scheme(labels: Iterable[str]) -> str:
    """``bio``, ``bioes`` or ``io`` from the distinct labels (``bio`` when they fit several)."""
    distinct = set(labels) - {"O"}
    if all(_BIO.fullmatch(label) for label in distinct):
        return "bio"
    if all(_BIOES.fullmatch(label) for label in distinct):
        return "bioes"
    if not any(_PREFIXED.fullmatch(label) for label in distinct):
        return "io"
    return "bio"  # mixed: checked as BIO, which names the first odd tag


def first_bad_label(labels: Iterable[str], scheme: str) -> Optional[str]:
    pattern = _BIOES if scheme == "bioes" else _BIO
    for label in set(labels):
        if scheme == "io":
            if label != "O" and _PREFIXED.fullmatch(label):
                return label
        elif not pattern.fullmatch(label):
            return label
    return None


def explain(label: str, scheme: str) -> str:
    """Why ``label`` does not fit ``scheme`` and what to do about it."""
    if scheme == "io":
        return f"tag {label!r} has a prefix, but --scheme io reads tags without one"
    names = {"bio": "BIO (O, B-X, I-X)", "bioes": "BIOES (O, B-X, I-X, E-X, S-X)"}
    why = f"tag {label!r} is not {names[scheme]}"
    if re.fullmatch(r"[bies]-\S+", label):
        return f"{why}; prefixes are upper-case (B-, I-)"
    if scheme == "bio" and _BIOES.fullmatch(label):
        return f"{why}; for {_HINTS['bioes']}"
    if scheme == "bio" and not _PREFIXED.fullmatch(label):
        return f"{why}; for {_HINTS['io']}"
    return why


def to_bio(labels: Sequence[str], scheme: str) -> List[str]:
    """One sentence's labels in BIO (``scheme`` already checked)."""
    if scheme == "bio":
        return list(labels)
    if scheme == "bioes":
        return ["B-" + t[2:] if t[:2] == "S-" else "I-" + t[2:] if t[:2] == "E-" else t for t in labels]
    out, previous = [], "O"
    for tag in labels:  # io: a run of the same type is one entity
        out.append("O" if tag == "O" else ("I-" if tag == previous else "B-") + tag)
        previous = tag
    return out
