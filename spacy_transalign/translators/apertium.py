"""ApertiumTranslator: Debian's rule-based Apertium engine, offline (``apt-get install apertium-eng-spa``).

Sentences go through one ``apertium`` process per batch, one sentence a line; if the engine
ever returns a different number of lines, that batch is redone sentence by sentence, so no
sentence is lost or merged. ``-u`` drops unknown-word marks; ``format="html"`` keeps inline
markup, which marker-based projection relies on.
"""

import functools
import logging
import re
import shutil
import subprocess
from typing import List, Literal, Sequence

from spacy.util import registry

from ..languages import SPACY_TO_FLORES
from .base import split_pair

logger = logging.getLogger("spacy_transalign")

Format = Literal["txt", "html"]
_MARKS = re.compile(r"(?<!\S)[#@*](?=\w)")  # leftover '#', '@' and '*' marks before a word


class ApertiumNotAvailableError(RuntimeError):
    """The apertium engine or the requested language pair is not installed."""


@functools.lru_cache(maxsize=None)
def installed_modes() -> frozenset:
    if shutil.which("apertium") is None:
        raise ApertiumNotAvailableError(
            "The 'apertium' command is not installed. On Debian/Ubuntu: "
            "sudo apt-get install apertium apertium-eng-spa  (or the package of your language pair)"
        )
    out = subprocess.run(["apertium", "-l"], capture_output=True, text=True)
    return frozenset(line.strip() for line in (out.stdout + out.stderr).splitlines() if line.strip())


def _iso3(code: str) -> str:
    flores = SPACY_TO_FLORES.get(code)
    return flores.split("_")[0] if flores else code


def resolve_mode(pair: str) -> str:
    """``en-es`` -> the installed mode name (``en-es`` or ``eng-spa``)."""
    src, tgt = split_pair(pair)
    modes = installed_modes()
    for candidate in (pair, f"{_iso3(src)}-{_iso3(tgt)}", f"{src}-{_iso3(tgt)}", f"{_iso3(src)}-{tgt}"):
        if candidate in modes:
            return candidate
    raise ApertiumNotAvailableError(
        f"Apertium has no mode for {pair!r} (installed: {', '.join(sorted(modes)) or 'none'}). "
        f"Install the pair, e.g. sudo apt-get install apertium-{_iso3(src)}-{_iso3(tgt)}"
    )


class ApertiumTranslator:
    def __init__(self, pair: str = "en-es", format: Format = "txt", batch_size: int = 5000, timeout: float = 600.0):
        self.pair = pair
        self.format = format
        self.batch_size = batch_size
        self.timeout = timeout
        self.target_lang = split_pair(pair)[1]
        self.supports_markup = format == "html"  # inline markers survive: marker-based projection
        self._mode = None

    @property
    def cache_key(self) -> str:
        return f"apertium|{self.pair}|{self.format}"

    def initialize(self) -> None:
        if self._mode is None:
            self._mode = resolve_mode(self.pair)

    def translate(self, texts: Sequence[str]) -> List[str]:
        self.initialize()
        lines = [" ".join(t.split()) for t in texts]  # one sentence, one line
        out: List[str] = []
        for start in range(0, len(lines), self.batch_size):
            batch = lines[start : start + self.batch_size]
            translated = self._run(batch)
            if len(translated) != len(batch):
                logger.warning("apertium returned %d lines for %d; retrying that batch line by line", len(translated), len(batch))
                translated = [" ".join(self._run([line])) for line in batch]
            out.extend(translated)
        return out

    def _run(self, lines: List[str]) -> List[str]:
        if not lines:
            return []
        proc = subprocess.run(
            ["apertium", "-u", "-f", self.format, self._mode],
            input="\n".join(lines) + "\n",
            capture_output=True,
            text=True,
            timeout=self.timeout,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"apertium {self._mode} failed: {proc.stderr.strip()[:500]}")
        result = proc.stdout.split("\n")
        if result and result[-1] == "":
            result.pop()
        return [_MARKS.sub("", line).strip() for line in result]


registry.misc.register("spacy-transalign.ApertiumTranslator.v1", func=ApertiumTranslator)
