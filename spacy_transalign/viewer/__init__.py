"""See a projection: source and target tokens, alignment links, entities and their outcomes.

``render`` (inline in Jupyter, like displaCy), ``serve`` (displaCy's ``serve`` conventions) and
``write_report`` (one self-contained HTML file with a summary, filters, search and paging; the
``view`` CLI command) all draw the same records (:mod:`.records`) with the same script.
"""
from __future__ import annotations

import fnmatch
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Union

from spacy.tokens import Doc

from ..files import atomic_write
from ..msgpack_codecs import frozen_msgpack_codecs
from .markup import fragment, page, report_page
from .records import doc_record, summarize

__all__ = ["render", "serve", "write_report", "doc_record", "select_records"]


def _records(docs: Union[Doc, Iterable[Doc]], direction: str) -> List[Dict[str, Any]]:
    """One record per Doc; ``docs`` may be a DocBin being read (see msgpack_codecs: other
    packages' data in user data is not decoded, the viewer never shows it)."""
    with frozen_msgpack_codecs(entry_points=False):
        return [doc_record(doc, k, direction) for k, doc in enumerate([docs] if isinstance(docs, Doc) else docs)]


def render(docs: Union[Doc, Iterable[Doc]], *, page_html: bool = False, jupyter: Optional[bool] = None,
           direction: str = "to_translation", colors: Optional[Dict[str, str]] = None) -> Optional[str]:
    """HTML for Docs with ``._.translation`` (and ``._.alignment``, ``._.projection``).

    As ``displacy.render``: in Jupyter (or with ``jupyter=True``) it is displayed and ``None``
    returned; ``page_html=True`` gives a whole page instead of a fragment."""
    markup = fragment(_records(docs, direction), colors)
    if page_html:
        markup = page(markup, "spacy-transalign")
    from spacy.util import is_in_jupyter

    if jupyter or (jupyter is None and is_in_jupyter()):
        from IPython.display import HTML, display

        display(HTML(markup))
        return None
    return markup


def select_records(records: Iterable[Dict[str, Any]], outcomes: Sequence[str] = (), labels: Sequence[str] = (),
                   limit: Optional[int] = None) -> List[Dict[str, Any]]:
    """Records with an outcome matching one of ``outcomes`` (shell patterns, ``dropped_*``) and
    an entity with one of ``labels``; at most ``limit``."""
    chosen = []
    for record in records:
        if outcomes and not any(fnmatch.fnmatchcase(o["reason"] or "", p) for o in record["outcomes"] for p in outcomes):
            continue
        if labels and not any(e[2] in labels for e in record["src_ents"] + record["tgt_ents"]):
            continue
        chosen.append(record)
        if limit is not None and len(chosen) >= limit:
            break
    return chosen


def write_report(docs: Iterable[Doc], output: Union[str, Path], *, outcomes: Sequence[str] = (), labels: Sequence[str] = (),
                 limit: Optional[int] = None, direction: str = "to_translation", title: str = "spacy-transalign projection",
                 colors: Optional[Dict[str, str]] = None) -> Dict[str, Any]:
    """One self-contained HTML file; the summary counts every Doc, the list shows the selection."""
    records = _records(docs, direction)
    summary = summarize(records)
    shown = select_records(records, outcomes, labels, limit)
    note = (f"{len(shown):,} of {len(records):,} Docs" + (f" with outcome {', '.join(outcomes)}" if outcomes else "")
            + (f" and label {', '.join(labels)}" if labels else "") + ". The summary counts all Docs.")
    with atomic_write(output) as f:
        f.write(report_page(shown, summary, title, note, colors))
    summary["shown"] = len(shown)
    return summary


def make_app(markup: str):
    body = markup.encode("utf-8")

    def app(environ, start_response):
        start_response("200 OK", [("Content-type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))])
        return [body]

    return app


def serve(docs: Union[Doc, Iterable[Doc]], *, port: int = 5000, host: str = "0.0.0.0", auto_select_port: bool = False,
          direction: str = "to_translation", title: str = "spacy-transalign projection",
          colors: Optional[Dict[str, str]] = None) -> None:
    """Serve the report page of ``docs`` until interrupted, as ``displacy.serve`` does."""
    from wsgiref import simple_server

    from spacy.util import find_available_port

    records = _records(docs, direction)
    markup = report_page(records, summarize(records), title, f"{len(records):,} Docs", colors)
    port = find_available_port(port, host, auto_select_port)
    httpd = simple_server.make_server(host, port, make_app(markup))
    print(f"\nUsing the 'spacy-transalign' visualizer\nServing on http://{host}:{port} ...\n")
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        print(f"Shutting down server on port {port}.")
    finally:
        httpd.server_close()
