"""ApertiumTranslator: Debian's rule-based Apertium engine, offline (``apt-get install apertium-eng-spa``).

A batch of sentences is translated in a few processes, and each sentence exactly as it would
be alone (see :mod:`.apertium_engine`: Apertium's own batch mode lets sentences change each
other). If the engine's output cannot be cut back into one line per sentence, that batch is
redone sentence by sentence, so no sentence is lost or merged. Each text is one sentence on one
line: its runs of whitespace, line breaks included (carriage return, form feed, U+2028...), become one
space before translation (Apertium itself would keep them). Unknown words carry no marks
(``apertium -u``); ``format="html"`` keeps inline markup, which marker-based projection
relies on, and escapes plain text so that it is never read as markup.
"""

import functools
import html
import logging
import shutil
import subprocess
from concurrent.futures import Future, ThreadPoolExecutor
from typing import List, Literal, Optional, Sequence

from spacy.util import registry

from ..languages import SPACY_TO_FLORES
from .apertium_engine import ApertiumError, ModePipeline, StageCrash, deformat, discard_html, extract_html, inject_html, reformat
from .base import split_pair

logger = logging.getLogger("spacy_transalign")

Format = Literal["txt", "html"]


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
    """Plain sentences in, plain translations out; ``format="html"`` also keeps inline markup
    (``translate_markup``), which marker-based projection relies on."""

    html_part_size = 500  # lines per tf-extract/tf-inject call (see _run_html)

    def __init__(self, pair: str = "en-es", format: Format = "txt", batch_size: int = 5000, timeout: float = 600.0):
        self.pair = pair
        self.format = format
        self.batch_size = batch_size
        self.timeout = timeout
        self.target_lang = split_pair(pair)[1]
        self.supports_markup = format == "html"  # inline markers survive: marker-based projection
        self._mode: Optional[str] = resolve_mode(pair)  # fails now, not at the first Doc, if the pair is missing
        self._pipeline: Optional[ModePipeline] = None

    @property
    def cache_key(self) -> str:
        return f"apertium|{self.pair}|{self.format}|isolated"

    @property
    def markup_cache_key(self) -> str:
        return f"{self.cache_key}|markup"

    def initialize(self) -> None:
        if self._mode is None:
            self._mode = resolve_mode(self.pair)

    def translate(self, texts: Sequence[str]) -> List[str]:
        """User text is text: in ``html`` format it is escaped on the way in and unescaped on the way out."""
        if self.format == "txt":
            return self._translate(texts)
        return [html.unescape(t) for t in self._translate([html.escape(t, quote=False) for t in texts])]

    def translate_markup(self, texts: Sequence[str]) -> List[str]:
        """HTML fragments in and out (the caller escapes its text and adds the markup)."""
        if self.format != "html":
            raise ValueError("translate_markup needs format = \"html\"")
        return self._translate(texts)

    def _translate(self, texts: Sequence[str]) -> List[str]:
        self.initialize()
        lines = [" ".join(t.split()) for t in texts]  # one sentence, one line
        out = [""] * len(lines)
        todo = [k for k, line in enumerate(lines) if line]
        if not todo:
            return out
        for start in range(0, len(todo), self.batch_size):
            batch = todo[start : start + self.batch_size]
            for k, line in zip(batch, self._translate_lines([lines[k] for k in batch])):
                out[k] = line.strip()
        return out

    def _translate_lines(self, lines: List[str]) -> List[str]:
        """A sentence that breaks the batch is translated by ``apertium`` itself, in a process
        of its own; the rest stay batched. In ``txt`` the first sentence whose output lost its
        line break is the one (``apertium-transfer -z`` can lose its place on such a sentence,
        empty the next few and crash): what came before it is kept, what follows is redone.
        Any other failure halves the batch until the failing sentences are found."""
        if self.format == "html":
            try:
                return self._run_html(lines)
            except ApertiumError as err:
                return self._halve(lines, err)
        out: List[str] = []
        while lines:
            try:
                chunks = self._pipeline_for_mode().translate_segments(deformat("txt", lines, self.timeout))
                crash: Optional[StageCrash] = None
            except StageCrash as err:
                chunks, crash = err.done, err
            except ApertiumError as err:
                return out + self._halve(lines, err)
            good = next((k for k, c in enumerate(chunks) if c.count("\n") != 1 or not c.endswith("\n]")), len(chunks))
            if good == len(lines):
                return out + reformat("txt", chunks, self.timeout)
            logger.warning("apertium lost sentence %d of a batch of %d (%s); translating it in a process of its own",
                           good + 1, len(lines), crash or "no line break in its output")
            out += (reformat("txt", chunks[:good], self.timeout) if good else []) + [self._alone(lines[good])]
            lines = lines[good + 1 :]
        return out

    def _halve(self, lines: List[str], err: Exception) -> List[str]:
        if len(lines) == 1:
            logger.warning("%s; translating that sentence in a process of its own", err)
            return [self._alone(lines[0])]
        logger.info("%s; halving a batch of %d", err, len(lines))
        middle = len(lines) // 2
        return self._translate_lines(lines[:middle]) + self._translate_lines(lines[middle:])

    def _pipeline_for_mode(self) -> ModePipeline:
        if self._pipeline is None:
            self._pipeline = ModePipeline(self._mode, timeout=self.timeout)
        return self._pipeline

    def _run_html(self, lines: List[str]) -> List[str]:
        """Transfuse's ``tf-inject`` takes longer than linearly in the lines of one call (here
        1,000 lines 0.27 s, 5,000 lines 3.2 s), so a batch goes through in parts of
        ``html_part_size`` lines, each part injected while the next one is translated. A part
        that fails is halved on its own; the parts before it are kept."""
        size = self.html_part_size
        parts = [lines[k : k + size] for k in range(0, len(lines), size)]
        with ThreadPoolExecutor(max_workers=1) as injector:
            injected = [self._html_part(part, injector) for part in parts]
            out: List[str] = []
            for part, done in zip(parts, injected):
                try:
                    out += done.result()
                except ApertiumError as err:
                    out += self._halve(part, err)
            return out

    def _html_part(self, lines: List[str], injector: ThreadPoolExecutor) -> "Future[List[str]]":
        """Extract and translate now; inject in ``injector``, which discards Transfuse's state."""
        try:
            header, blocks = extract_html(lines, self.timeout)
            try:
                header, *blocks = self._pipeline_for_mode().translate_segments([header, *blocks])
            except BaseException:
                discard_html(header)
                raise
        except ApertiumError as err:
            failed: "Future[List[str]]" = Future()
            failed.set_exception(err)
            return failed
        return injector.submit(inject_html, header, blocks, len(lines), self.timeout)

    def _alone(self, line: str) -> str:
        text = f"<p>{line}</p>" if self.format == "html" else line
        proc = subprocess.run(["apertium", "-u", "-f", self.format, self._mode], input=text + "\n",
                              capture_output=True, text=True, timeout=self.timeout)
        if proc.returncode != 0:
            raise RuntimeError(f"apertium {self._mode} failed on {line[:80]!r}: {proc.stderr.strip()[:300]}")
        out = proc.stdout.strip()
        if self.format == "html" and out.startswith("<p>") and out.endswith("</p>"):
            out = out[3:-4]
        return out


registry.misc.register("spacy-transalign.ApertiumTranslator.v1", func=ApertiumTranslator)
