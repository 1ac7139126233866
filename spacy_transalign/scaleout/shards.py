"""A corpus cut into shards that are read only when processed, each by itself.

A shard is a range of sentences in one input file, found by one scan of the file; reading it
takes only its lines (BIO or plain text) or its slice of a DocBin. Line numbers in errors are
the file's own, so a bad line in shard 7 is named as it is in an editor.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from itertools import islice
from pathlib import Path
from typing import Dict, Iterator, List, Literal, Tuple

from spacy.language import Language
from spacy.tokens import Doc, DocBin

from ..corpora import parse_bio
from ..files import InputFileError

Format = Literal["docbin", "bio", "text"]


@dataclass(frozen=True)
class Shard:
    index: int  # over all inputs, in order
    path: str
    format: str
    first: int  # first sentence (DocBin: Doc) of the shard in its file
    count: int  # sentences in the shard
    first_line: int  # 0-based line where the shard starts (text formats)
    end_line: int  # 0-based line after its last line

    @property
    def name(self) -> str:
        return f"shard-{self.index:05d}"

    def to_dict(self) -> Dict:
        return asdict(self)


def guess_format(path: Path) -> Format:
    if path.suffix == ".spacy":
        return "docbin"
    with path.open("r", encoding="utf-8", errors="replace") as f:
        head = [line for line in islice(f, 200) if line.strip()]
    tagged = all(len(line.split()) >= 2 and (line.split()[-1] == "O" or line.split()[-1][1:2] == "-") for line in head)
    return "bio" if head and tagged else "text"


def _sentence_lines(path: Path, fmt: Format, encoding: str) -> Iterator[Tuple[int, int]]:
    """(first line, end line) of each sentence, 0-based, in one pass over the file."""
    start = None
    with path.open("r", encoding=encoding, errors="strict", newline=None) as f:
        try:
            for number, line in enumerate(f):
                if fmt == "text":
                    if line.strip():
                        yield number, number + 1
                    continue
                if line.strip() and not line.startswith("-DOCSTART-"):
                    start = number if start is None else start
                elif start is not None:
                    yield start, number
                    start = None
        except UnicodeDecodeError as err:
            raise InputFileError(f"{path}: not valid {encoding} near byte {err.start}; convert it (iconv) first") from err
    if start is not None:
        yield start, number + 1


def plan_shards(inputs: List[Path], shard_size: int, encoding: str = "utf-8") -> List[Shard]:
    """Shards of at most ``shard_size`` sentences, numbered across ``inputs`` in order."""
    if shard_size < 1:
        raise ValueError(f"shard_size must be at least 1, got {shard_size}")
    shards: List[Shard] = []
    for path in inputs:
        path = Path(path)
        if not path.exists():
            raise InputFileError(f"{path}: no such file")
        fmt = guess_format(path)
        if fmt == "docbin":
            total = len(DocBin().from_disk(path))
            for first in range(0, total, shard_size):
                shards.append(Shard(len(shards), str(path), fmt, first, min(shard_size, total - first), 0, 0))
            continue
        pending: List[Tuple[int, int]] = []
        seen = 0
        for span in _sentence_lines(path, fmt, encoding):
            pending.append(span)
            if len(pending) == shard_size:
                shards.append(Shard(len(shards), str(path), fmt, seen, len(pending), pending[0][0], pending[-1][1]))
                seen += len(pending)
                pending = []
        if pending:
            shards.append(Shard(len(shards), str(path), fmt, seen, len(pending), pending[0][0], pending[-1][1]))
    return shards


def read_shard(shard: Shard, nlp: Language, labels: bool = True, encoding: str = "utf-8") -> List[Doc]:
    """The shard's Docs, one per sentence: a DocBin's own, BIO words (with their entities when
    ``labels``), or a text line through ``nlp``'s tokenizer."""
    if shard.format == "docbin":
        return list(islice(DocBin().from_disk(shard.path).get_docs(nlp.vocab), shard.first, shard.first + shard.count))
    with open(shard.path, "r", encoding=encoding) as f:
        lines = list(islice(f, shard.first_line, shard.end_line))
    if shard.format == "text":
        docs = [nlp.make_doc(line.strip()) for line in lines if line.strip()]
    else:  # blank lines in front keep the file's line numbers in the parser's errors
        sentences = parse_bio("\n" * shard.first_line + "".join(lines), shard.path, with_labels=labels, scheme="auto")
        docs = [Doc(nlp.vocab, words=words, ents=tags if labels else None) for words, tags in sentences]
    for doc in docs:
        for k, token in enumerate(doc):
            token.is_sent_start = k == 0
    return docs
