"""Marker-based projection (EasyProject-style): entities travel through MT inside inline markup.

``<b id="K">…</b>`` survives Apertium's ``-f html`` mode. Text outside markers is escaped, so a
``<`` in the data can never be mistaken for a marker. Markers the engine loses, duplicates or
mangles are reported, and those entities fall back to alignment-based projection.
"""
from __future__ import annotations

import html
import re
from typing import Dict, List, Sequence, Tuple

OPEN = '<b id="{}">'
CLOSE = "</b>"
_TAG = re.compile(r'<b id="?(\d+)"?>|</b>|<[^>]*>')

Entity = Tuple[int, int, str]  # start char, end char (within the sentence), label


def mark(text: str, entities: Sequence[Entity]) -> str:
    """``text`` with each (non-overlapping) entity wrapped in a numbered marker."""
    out, pos = [], 0
    for k, (start, end, _) in sorted(enumerate(entities), key=lambda e: e[1][0]):
        out.append(html.escape(text[pos:start], quote=False))
        out.append(OPEN.format(k) + html.escape(text[start:end], quote=False) + CLOSE)
        pos = end
    out.append(html.escape(text[pos:], quote=False))
    return "".join(out)


def unmark(marked: str) -> Tuple[str, Dict[int, Tuple[int, int]]]:
    """Plain text and the character span of every marker that came back intact (exactly once)."""
    plain: List[str] = []
    length = 0
    spans: Dict[int, Tuple[int, int]] = {}
    seen: Dict[int, int] = {}
    open_id, open_at = None, 0
    pos = 0
    for match in _TAG.finditer(marked):
        chunk = html.unescape(marked[pos : match.start()])
        plain.append(chunk)
        length += len(chunk)
        pos = match.end()
        if match.group(1) is not None:  # an opening marker
            open_id, open_at = int(match.group(1)), length
        elif match.group(0) == CLOSE and open_id is not None:
            seen[open_id] = seen.get(open_id, 0) + 1
            spans[open_id] = (open_at, length)
            open_id = None
    plain.append(html.unescape(marked[pos:]))
    text = "".join(plain)
    intact = {}
    for k, (start, end) in spans.items():
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if seen[k] == 1 and end > start:
            intact[k] = (start, end)
    return text, intact
