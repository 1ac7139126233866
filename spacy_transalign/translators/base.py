"""What every translation backend provides, and the length-sorted batching they share."""
from __future__ import annotations

from typing import Callable, Iterator, List, Protocol, Sequence, Tuple


class Translator(Protocol):
    """Translates plain sentences; ``cache_key`` names everything that changes the output."""

    target_lang: str  # the backend's own code for the target language (FLORES, ISO ...)

    @property
    def cache_key(self) -> str: ...

    def translate(self, texts: Sequence[str]) -> List[str]: ...


def length_sorted_batches(texts: Sequence[str], batch_size: int, length: Callable[[str], int] = len) -> Iterator[List[int]]:
    """Indices of ``texts`` in batches of similar length (longest first), so padding stays small."""
    order = sorted(range(len(texts)), key=lambda k: -length(texts[k]))
    for start in range(0, len(order), batch_size):
        yield order[start : start + batch_size]


def translate_in_batches(
    texts: Sequence[str], batch_size: int, translate_batch: Callable[[List[str]], List[str]]
) -> List[str]:
    """Run ``translate_batch`` over length-sorted batches; results come back in input order."""
    out: List[str] = [""] * len(texts)
    for batch in length_sorted_batches(texts, batch_size):
        for k, translation in zip(batch, translate_batch([texts[k] for k in batch])):
            out[k] = translation
    return out


def split_pair(pair: str) -> Tuple[str, str]:
    src, sep, tgt = pair.partition("-")
    if not sep or not src or not tgt:
        raise ValueError(f"Language pair {pair!r} must look like 'en-es'")
    return src, tgt
