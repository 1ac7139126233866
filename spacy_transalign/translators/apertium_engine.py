"""Run an Apertium mode so that every sentence is translated as if it were alone.

Apertium's ``txt`` and ``html`` modes treat a newline as ordinary whitespace: transfer rules
reorder words across it and capitalisation follows the previous line. Null-flush mode (``-z``,
a ``\\0`` after each segment) isolates the stream processors, all but one: the HMM tagger
(``apertium-tagger -g``) rewrites its open ambiguity class the first time it meets an
ambiguity class its model does not know (``find_similar_ambiguity_class`` assigns through a
reference), so from then on unknown words in *later* sentences are tagged differently. One
process per sentence is exact but 100x slower (about 0.14 s a sentence here).

So a batch is run in four steps:

1. cut the input into the exact segments each sentence gives alone: for ``txt``, deformat all
   sentences in one ``apertium-destxt`` call and cut at the newline superblanks; for ``html``,
   wrap each sentence in ``<p>`` and let Transfuse (``tf-extract``, what ``apertium -f html``
   uses: inline tags become word-bound blanks that follow their words) make one block of each;
2. run the stages before the tagger on all segments in one null-flush pipeline;
3. find the segments in which the tagger meets an unknown ambiguity class (one ``-d`` pass),
   and tag each run of segments up to such a one in a fresh tagger process;
4. run the stages after the tagger in one null-flush pipeline, fed while the tagger works,
   and reformat, one line per sentence: everything in one ``apertium-retxt`` call, or in
   ``html`` each part of the batch in a ``tf-inject`` call of its own (its time grows faster
   than the lines of one call; ``ApertiumTranslator._run_html``).

``tests/test_apertium.py`` checks, on 1,000 CoNLL sentences per format, that the result
equals what each sentence gives in its own ``apertium`` process (``<p>sentence</p>`` for html).
"""

import contextlib
import logging
import os
import re
import select
import shlex
import shutil
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterator, List, Optional, Sequence, Tuple

logger = logging.getLogger("spacy_transalign")

# a superblank holding a newline: the boundary between two input lines after deformatting
_LINE_BREAK = re.compile(r"\[((?:[^\]\\\n]|\\.)*)\n((?:[^\]\\]|\\.)*)\]")
_END = ".[]"  # what the deformatter appends before the final superblank ('-n' not given)


class ApertiumError(RuntimeError):
    """An Apertium program failed or its output could not be cut back into sentences."""


class StageCrash(ApertiumError):
    """A stage after the tagger crashed; ``done`` holds the segments finished before it.
    In null-flush mode they are complete, so the crash is in segment ``len(done)``."""

    def __init__(self, message: str, done: List[str]):
        super().__init__(message)
        self.done = done


def _run(command: str, data: str, timeout: float) -> str:
    proc = subprocess.run(["bash", "-o", "pipefail", "-c", command], input=data.encode("utf-8"),
                          capture_output=True, timeout=timeout)
    if proc.returncode != 0:
        raise ApertiumError(f"{command.split()[0]} failed: {proc.stderr.decode('utf-8', 'replace').strip()[:500]}")
    return proc.stdout.decode("utf-8")


def deformat(fmt: str, lines: Sequence[str], timeout: float) -> List[str]:
    """Each line's deformatted stream, exactly as ``apertium-des<fmt>`` gives it for that line alone."""
    stream = _run(f"apertium-des{fmt}", "\n".join(lines) + "\n", timeout)
    segments: List[str] = []
    lead, pos = "", 0
    for match in _LINE_BREAK.finditer(stream):
        body, before, after = stream[pos : match.start()], match.group(1), match.group(2)
        end = "" if match.end() == len(stream) else _END  # the stream's own end already has it
        segments.append(f"{lead}{body}{end}[{before}\n]")
        lead = f"[{after}]" if after else ""
        pos = match.end()
    if len(segments) != len(lines) or pos != len(stream):
        raise ApertiumError(f"apertium-des{fmt} gave {len(segments)} segments for {len(lines)} lines")
    return segments


def _split_null(output: str, n: int, stage: str) -> List[str]:
    parts = output.split("\0")  # each program adds a few '\0's of its own at the end of input
    if len(parts) < n or any(parts[n:]):
        raise ApertiumError(f"{stage}: {len(parts)} null-flushed segments for {n} sentences")
    return parts[:n]


_REPORT = b"A new ambiguity class was found"


class _Tagger:
    """An ``apertium-tagger -z`` process that tags one run of segments, then is closed."""

    def __init__(self, argv: List[str]):
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self._in, self._out = self.proc.stdin.fileno(), self.proc.stdout.fileno()
        os.set_blocking(self._in, False)

    def tag(self, segments: Sequence[bytes], timeout: float) -> List[bytes]:
        """Write and read at the same time, so that neither side's pipe can fill and block."""
        pending = memoryview(b"".join(s + b"\0" for s in segments))
        out = bytearray()
        while out.count(b"\0") < len(segments):
            readable, writable, _ = select.select([self._out], [self._in] if pending else [], [], timeout)
            if not readable and not writable:
                self.proc.kill()
                raise ApertiumError(f"apertium-tagger gave no output within {timeout:.0f} s")
            if writable:
                pending = pending[os.write(self._in, pending[:65536]) :]
            if readable:
                data = os.read(self._out, 65536)
                if not data:
                    raise ApertiumError(f"apertium-tagger stopped (exit code {self.proc.wait()})")
                out += data
        with contextlib.suppress(OSError):
            self.proc.stdin.close()  # it exits on its own; reaped by close()
        return bytes(out).split(b"\0")[: len(segments)]

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.proc.stdin.close()
        self.proc.wait()


class ModePipeline:
    """One installed mode's null-flush pipeline, split around its HMM tagger."""

    def __init__(self, mode: str, datadir: str = "/usr/share/apertium", timeout: float = 600.0):
        mode_file = Path(datadir) / "modes" / f"{mode}.mode"
        script = _run(f"apertium-wblank-mode -z {shlex.quote(str(mode_file))}", "", timeout).strip()
        # $1: generation option (-n: no unknown-word marks, as 'apertium -u'); $2: tagger's -m (unused)
        stages = [shlex.split(stage.replace("$1", "-n").replace("$2", "")) for stage in script.split(" | ")]
        tagger = next((k for k, argv in enumerate(stages) if Path(argv[0]).name == "apertium-tagger"), None)
        self.timeout = timeout
        self.before = stages if tagger is None else stages[:tagger]
        self.tagger = None if tagger is None else stages[tagger]
        self.after = [] if tagger is None else stages[tagger + 1 :]
        self.tagger_restarts = 0

    def translate_segments(self, segments: Sequence[str], part_size: int = 250) -> List[str]:
        n = len(segments)
        if self.tagger is None:
            return self._analyse(segments)
        # three things overlap: analysis of the next part, tagging of this one, and the stages
        # after the tagger (one process, fed as runs are tagged)
        after = subprocess.Popen(["bash", "-o", "pipefail", "-c", _joined(self.after)],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        output: List[bytes] = []
        reader = threading.Thread(target=lambda: output.append(after.stdout.read()), daemon=True)
        reader.start()
        parts = [segments[k : k + part_size] for k in range(0, n, part_size)]
        try:
            with ThreadPoolExecutor(max_workers=1) as ahead:
                for analysed in ahead.map(self._analyse, parts):
                    for tagged in self._tag([s.encode("utf-8") for s in analysed]):
                        after.stdin.write(b"".join(t + b"\0" for t in tagged))
            after.stdin.close()
            reader.join(self.timeout)
            if reader.is_alive() or after.wait(self.timeout) != 0:
                raise BrokenPipeError
        except BrokenPipeError:  # a stage crashed (apertium-transfer -z does on some input)
            with contextlib.suppress(OSError):
                after.stdin.close()
            reader.join(self.timeout)  # the stages behind the crash flush what they had
            after.kill()
            after.wait()
            done = output[0].split(b"\0")[:-1] if output else []  # complete segments only
            logger.debug("apertium stages after the tagger failed: %s", after.stderr.read().decode("utf-8", "replace"))
            raise StageCrash(f"a stage crashed after {len(done)} of {n} sentences",
                             [d.decode("utf-8") for d in done[:n]]) from None
        except BaseException:
            after.kill()
            after.wait()
            raise
        return _split_null(output[0].decode("utf-8"), n, "apertium (transfer)")

    def tag_segments(self, segments: Sequence[str], part_size: int = 250) -> List[str]:
        """Each segment's lexical units with the analysis the tagger chose, as if alone and with
        surface forms (``^surface/lemma<tags>$``, the tagger's ``-p``): for readers of the
        analysis rather than the translation. A mode without a tagger gives every analysis."""
        argv = None if self.tagger is None else [self.tagger[0], "-p", *self.tagger[1:]]
        tagged: List[str] = []
        for start in range(0, len(segments), part_size):
            analysed = self._analyse(segments[start : start + part_size])
            if argv is None:
                tagged += analysed
                continue
            for run in self._tag([s.encode("utf-8") for s in analysed], argv):
                tagged += [t.decode("utf-8") for t in run]
        return tagged

    def _analyse(self, segments: Sequence[str]) -> List[str]:
        data = "".join(s + "\0" for s in segments)
        return _split_null(_run(_joined(self.before), data, self.timeout), len(segments), "apertium (analysis)")

    def runs(self, analysed: Sequence[bytes]) -> List[Tuple[int, int]]:
        """Runs of segments that each start with a pristine tagger: a run ends with a segment
        in which the tagger reports an unknown ambiguity class. Whether a segment does so
        does not depend on the tagger's state, so one pass with stderr in the output stream
        (a report lands in the chunk of its segment) finds them all."""
        probe = subprocess.run(self.tagger + ["-d"], input=b"".join(s + b"\0" for s in analysed),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=self.timeout)
        chunks = probe.stdout.split(b"\0")
        ends = [k + 1 for k in range(len(analysed)) if _REPORT in chunks[k]]
        starts = [0] + [end for end in ends if end < len(analysed)]
        return list(zip(starts, starts[1:] + [len(analysed)]))

    def _tag(self, analysed: Sequence[bytes], argv: Optional[List[str]] = None) -> Iterator[List[bytes]]:
        argv = argv or self.tagger
        taggers: List[_Tagger] = []
        try:
            spare = _Tagger(argv)
            for start, end in self.runs(analysed):
                tagger, spare = spare, _Tagger(argv)  # the next one loads while this one works
                taggers.append(tagger)
                yield tagger.tag(analysed[start:end], self.timeout)
            taggers.append(spare)
            self.tagger_restarts += len(taggers) - 2
        finally:
            for tagger in taggers:
                tagger.close()


def _joined(stages: List[List[str]]) -> str:
    return " | ".join(shlex.join(argv) for argv in stages) if stages else "cat"


def reformat(fmt: str, segments: Sequence[str], timeout: float) -> List[str]:
    """One output line per translated segment (each ends in the newline superblank it came with)."""
    text = _run(f"apertium-re{fmt}", "".join(segments), timeout)
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if len(lines) != len(segments):
        raise ApertiumError(f"apertium-re{fmt} gave {len(lines)} lines for {len(segments)} sentences")
    return lines


_TRANSFUSE_DIR = re.compile(r"^\[transfuse:((?:[^\]\\]|\\.)*)\]")
_PARAGRAPH = re.compile(r"^<p>(.*)</p>$")


def extract_html(lines: Sequence[str], timeout: float) -> Tuple[str, List[str]]:
    """Transfuse's header chunk and its text blocks: one per line with anything to translate
    (``tf-extract``; its state folder is named in the header and removed by ``tf-inject`` or
    :func:`discard_html`)."""
    stream = _run("tf-extract -f html", "\n".join(f"<p>{line}</p>" for line in lines) + "\n", timeout)
    header, *blocks = stream.split("\0")
    if blocks and blocks[-1] == "":
        blocks.pop()
    return header, blocks


def inject_html(header: str, blocks: Sequence[str], n_lines: int, timeout: float) -> List[str]:
    try:
        text = _run("tf-inject", "".join(b + "\0" for b in (header, *blocks)), timeout)
    finally:
        discard_html(header)
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    found = [_PARAGRAPH.match(line) for line in lines]
    if len(lines) != n_lines or not all(found):
        raise ApertiumError(f"tf-inject gave {len(lines)} lines for {n_lines} sentences")
    return [m.group(1) for m in found]


def unescape(text: str) -> str:
    """Text from Apertium's stream format, where special characters carry a backslash."""
    return re.sub(r"\\(.)", r"\1", text)


def discard_html(header: str) -> None:
    match = _TRANSFUSE_DIR.match(header)
    if match:
        folder = unescape(match.group(1))
        if Path(folder).name.startswith("transfuse-"):
            shutil.rmtree(folder, ignore_errors=True)
