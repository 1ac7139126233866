"""Reading inputs with errors that name the file and line, and writing outputs atomically, so an
interrupted run never leaves a half-written file behind."""
from __future__ import annotations

import contextlib
import errno
import json
import os
import tempfile
from pathlib import Path
from typing import IO, Any, Iterator, List, Union


@contextlib.contextmanager
def atomic_write(path: Union[str, Path], mode: str = "w", encoding: str = "utf-8") -> Iterator[IO]:
    """Write to a temporary file beside ``path`` and rename it into place on success.

    An interrupted run leaves the previous file (or none), never a truncated one. There is no
    fsync: surviving a power cut is the file system's business, and fsync costs more than the
    projection of a whole test set.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as err:
        raise OutputPathError(f"{path}: cannot write here ({err.strerror})") from None
    try:
        with os.fdopen(fd, mode, **({} if "b" in mode else {"encoding": encoding})) as f:
            yield f
        try:
            os.replace(tmp, path)
        except OSError as err:
            raise OutputPathError(f"{path}: cannot write here ({err.strerror})") from None
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_docbin(path: Union[str, Path], docbin: Any) -> None:
    """``DocBin.to_disk``, atomically."""
    with atomic_write(path, "wb") as f:
        f.write(docbin.to_bytes())


def write_json(path: Union[str, Path], data: Any) -> None:
    with atomic_write(path) as f:
        json.dump(data, f, indent=2)


class InputFileError(ValueError):
    """An input file cannot be read as text: missing, a folder, or not in its encoding."""


def read_text(path: Union[str, Path], encoding: str = "utf-8") -> str:
    """The whole file as text, newlines read as ``open()`` reads them (``\\r\\n`` and ``\\r`` become
    ``\\n``) and a byte-order mark dropped; a decoding error names the line and the option that
    fixes it."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputFileError(f"{path}: is a folder, not a file") from None
    except PermissionError:
        raise InputFileError(f"{path}: not readable (permission denied)") from None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        raise InputFileError(
            f"{path}, line {line}: not valid {encoding} (byte 0x{data[err.start]:02x}); pass --encoding "
            f"(e.g. --encoding latin-1) or convert the file: iconv -f latin1 -t utf-8"
        ) from None
    except LookupError:
        raise InputFileError(f"unknown encoding {encoding!r}") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def text_lines(text: str) -> List[str]:
    """Lines split at ``\\n`` only (``str.splitlines`` also splits at U+2028 and other characters
    that can sit inside a sentence)."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


class OutputPathError(ValueError):
    """An output cannot be written where it was asked for."""


def check_writable(path: Union[str, Path]) -> None:
    """Fail before the work starts, not after it: the output's folder can be made and written to,
    and the output is no folder. Probed by creating (and removing) a file beside it."""
    path = Path(path)
    if path.is_dir():
        raise OutputPathError(f"{path}: is a folder; give a file name")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".probe", dir=path.parent)
        os.close(fd)
        os.unlink(probe)
    except OSError as err:
        reason = "a parent is a file, not a folder" if err.errno in (errno.ENOTDIR, errno.EEXIST) else err.strerror
        raise OutputPathError(f"{path}: cannot write here ({reason})") from None
