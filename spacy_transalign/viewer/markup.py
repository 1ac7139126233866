"""HTML around the viewer's records: a fragment for ``render``/Jupyter, a page for ``serve``, a
self-contained report file (CSS, script and data inline: it loads nothing from the network)."""
from __future__ import annotations

import html
import json
import uuid
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional

from spacy.displacy.render import DEFAULT_LABEL_COLORS

# displaCy's colours, with the CoNLL names of its OntoNotes labels
COLORS: Dict[str, str] = {**DEFAULT_LABEL_COLORS, "PER": DEFAULT_LABEL_COLORS["PERSON"], "MISC": "#e4e7d2"}
PAGE_SIZE = 50


@lru_cache(maxsize=None)
def asset(name: str) -> str:
    return (Path(__file__).parent / "static" / name).read_text(encoding="utf-8")


def json_for_script(data: Any) -> str:
    """JSON that cannot end its <script> element early, whatever the tokens say."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _colors_json(colors: Optional[Dict[str, str]]) -> str:
    """displaCy's colours with the caller's on top, as displaCy's ``options["colors"]``."""
    return json_for_script({**COLORS, **(colors or {})})


def fragment(records: List[Dict[str, Any]], colors: Optional[Dict[str, str]] = None) -> str:
    """Docs drawn into a <div> of their own: for Jupyter, or to paste into a page."""
    node = f"ta-{uuid.uuid4().hex[:12]}"
    return (
        f'<div class="ta-viewer" id="{node}"></div>\n<style>{asset("viewer.css")}</style>\n'
        f"<script>{asset('viewer.js')}</script>\n"
        f'<script type="application/json" id="{node}-data">{json_for_script(records)}</script>\n'
        f"<script>(function(){{var n=document.getElementById('{node}');"
        f"var d=JSON.parse(document.getElementById('{node}-data').textContent);"
        f"window.transalignView.renderInto(n,d,{_colors_json(colors)},'');}})();</script>"
    )


def page(body: str, title: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>{html.escape(title)}</title>\n'
            f'</head>\n<body style="margin:1em">\n{body}\n</body>\n</html>\n')


def _table(title: str, header: List[str], rows: List[List[Any]]) -> str:
    cells = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<h3>{html.escape(title)}</h3><table><tr>{cells}</tr>{body}</table>"


def summary_html(summary: Dict[str, Any]) -> str:
    labels = sorted({lab for counts in summary["outcomes"].values() for lab in counts}
                    | set(summary["source_entities"]) | set(summary["target_entities"]))
    outcome_rows = [[reason] + [counts.get(lab, 0) for lab in labels] + [sum(counts.values())]
                    for reason, counts in summary["outcomes"].items()]
    entity_rows = [[lab, summary["source_entities"].get(lab, 0), summary["target_entities"].get(lab, 0)] for lab in labels]
    return ('<div class="ta-summary">'
            + _table("Outcomes per label", ["outcome"] + labels + ["all"], outcome_rows)
            + _table("Entities per label", ["label", "source side", "target side"], entity_rows) + "</div>")


def report_page(records: List[Dict[str, Any]], summary: Dict[str, Any], title: str, note: str = "",
                colors: Optional[Dict[str, str]] = None) -> str:
    controls = ('<div class="ta-controls">'
                '<select name="outcome"><option value="">every outcome</option></select>'
                '<select name="label"><option value="">every label</option></select>'
                '<input name="search" type="search" placeholder="find a token">'
                '<button name="prev">&larr; previous</button><button name="next">next &rarr;</button>'
                '<span class="ta-info"></span></div>')
    body = (f'<div class="ta-viewer ta-report"><h2>{html.escape(title)}</h2>'
            f"<p>{html.escape(note)}</p>{summary_html(summary)}{controls}<div class=\"ta-list\"></div></div>\n"
            f"<style>{asset('viewer.css')}</style>\n<script>{asset('viewer.js')}</script>\n"
            f'<script type="application/json" id="ta-data">{json_for_script(records)}</script>\n'
            "<script>window.transalignView.report(document.querySelector('.ta-report'),"
            "JSON.parse(document.getElementById('ta-data').textContent),"
            f"{_colors_json(colors)},{PAGE_SIZE});</script>")
    return page(body, title)
