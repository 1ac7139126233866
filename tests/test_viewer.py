"""The projection viewer: records, escaping, the report file, the CLI, and a real browser (Chromium)."""
import json
import shutil
from pathlib import Path

import pytest
import spacy
from spacy.tokens import Doc, DocBin, Span

from spacy_transalign.alignment import WordAlignment
from spacy_transalign.extensions import register_extensions
from spacy_transalign.viewer import doc_record, render, select_records, write_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _doc(src, tgt, links, src_ents=(), tgt_ents=(), outcomes=(), scores=None, src_lang="en", tgt_lang="es"):
    register_extensions()
    doc = Doc(spacy.blank(src_lang).vocab, words=src)
    doc.ents = [Span(doc, s, e, label=lab) for s, e, lab in src_ents]
    translation = Doc(spacy.blank(tgt_lang).vocab, words=tgt)
    translation.ents = [Span(translation, s, e, label=lab) for s, e, lab in tgt_ents]
    doc._.translation = translation
    doc._.alignment = WordAlignment(links, scores)
    doc._.projection = [dict(o) for o in outcomes]
    return doc


def _moody():
    """Apertium inserted a word: "Tom Moody" came out as "Tom australiano Moody", the hull lost "Tom"."""
    return _doc(["Australian", "Tom", "Moody", "took", "six"], ["Tom", "australiano", "Moody", "tomó", "seis"],
                [(0, 1), (1, 0), (2, 2), (3, 3), (4, 4)], src_ents=[(1, 3, "PER")], tgt_ents=[(2, 3, "PER")],
                outcomes=[{"source": [1, 3], "label": "PER", "text": "Tom Moody", "target": [2, 3], "reason": "projected"}],
                scores=[0.9, 0.4, 0.95, 0.7, 1.0])


def _hostile():
    words = ["<script>alert('x')</script>", '"quoted"', "a&b", "</div>"]
    return _doc(words, list(words), [(0, 0), (1, 1), (2, 2), (3, 3)], src_ents=[(1, 2, "ORG")],
                outcomes=[{"source": [1, 2], "label": "ORG", "text": '"quoted"', "target": None, "reason": "dropped_no_alignment"}])


def _corpus():
    docs = [_moody(), _hostile()]
    docs += [_doc(["Paris", "is", "big"], ["París", "es", "grande"], [(0, 0), (1, 1), (2, 2)], src_ents=[(0, 1, "LOC")],
                  tgt_ents=[(0, 1, "LOC")], outcomes=[{"source": [0, 1], "label": "LOC", "text": "Paris", "target": [0, 1],
                                                      "reason": "projected_by_string_match"}]) for _ in range(60)]
    long = [f"w{k}" for k in range(90)]
    docs.append(_doc(long, long, [(k, k) for k in range(90)]))
    docs.append(_doc(["Peace", "in", "Jerusalem"], ["שלום", "ב", "ירושלים"], [(0, 0), (1, 1), (2, 2)],
                     src_ents=[(2, 3, "LOC")], tgt_ents=[(2, 3, "LOC")], tgt_lang="he",
                     outcomes=[{"source": [2, 3], "label": "LOC", "text": "Jerusalem", "target": [2, 3], "reason": "projected"}]))
    return docs


def test_record_holds_tokens_entities_scored_links_and_outcomes():
    record = doc_record(_moody(), 7)
    assert record["src"] == ["Australian", "Tom", "Moody", "took", "six"] and record["tgt"][1] == "australiano"
    assert record["src_ents"] == [[1, 3, "PER"]] and record["tgt_ents"] == [[2, 3, "PER"]]
    assert record["links"] == [[0, 1, 0.9], [1, 0, 0.4], [2, 2, 0.95], [3, 3, 0.7], [4, 4, 1.0]]
    assert record["outcomes"] == [{"source": [1, 3], "target": [2, 3], "label": "PER", "text": "Tom Moody", "reason": "projected"}]
    assert (record["i"], record["src_dir"], record["direction"]) == (7, "ltr", "to_translation")
    assert doc_record(_corpus()[-1])["tgt_dir"] == "rtl"
    with pytest.raises(ValueError, match="has no doc._.translation"):
        doc_record(Doc(spacy.blank("en").vocab, words=["x"]))


def test_user_text_never_reaches_the_markup_unescaped():
    markup = render(_hostile(), jupyter=False)
    assert "<script>alert" not in markup and "</div>\"" not in markup
    assert markup.count("</script>") == markup.count("<script") == 3  # the viewer's own three script elements
    assert "\\u003cscript\\u003ealert('x')\\u003c/script\\u003e" in markup


def test_selection_by_outcome_pattern_label_and_limit():
    records = [doc_record(d, k) for k, d in enumerate(_corpus())]
    assert [r["i"] for r in select_records(records, outcomes=["dropped_*"])] == [1]
    assert [r["i"] for r in select_records(records, labels=["PER"])] == [0]
    assert len(select_records(records, outcomes=["projected*"], limit=5)) == 5
    assert len(select_records(records, outcomes=["projected*"])) == 62


def test_cli_view_writes_a_self_contained_report(tmp_path):
    from typer.testing import CliRunner

    from spacy_transalign.cli import app

    DocBin(docs=_corpus(), store_user_data=True).to_disk(tmp_path / "docs.spacy")
    result = CliRunner().invoke(app, ["view", str(tmp_path / "docs.spacy"), str(tmp_path / "r.html"), "--label", "PER"])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "r.html").read_text()
    assert "1 of 64 Docs and label PER" in page and "http" not in page.replace("http://www.w3.org/2000/svg", "")
    assert "<td>projected_by_string_match</td><td>60</td><td>0</td><td>0</td><td>60</td>" in page  # LOC, ORG, PER, all
    bad = CliRunner().invoke(app, ["view", str(tmp_path / "docs.spacy"), str(tmp_path / "docs.spacy" / "r.html")])
    assert bad.exit_code == 1 and "cannot write here (a parent is a file" in str(bad.exception)


def test_view_reads_a_docbin_without_importing_other_packages_codecs(tmp_path):
    """Reading 14k Docs for a report must not pay for spacy-transformers (torch, transformers):
    the view command builds no Language and decodes with the codecs loaded in the process; its
    report equals the one from Docs read with every installed codec."""
    import subprocess
    import sys

    DocBin(docs=_corpus(), store_user_data=True).to_disk(tmp_path / "docs.spacy")
    code = ("import sys\nfrom spacy_transalign.cli import app\n"
            f"app(['view', {str(tmp_path / 'docs.spacy')!r}, {str(tmp_path / 'cli.html')!r}, '--lang', 'en'], standalone_mode=False)\n"
            "print(sorted(m for m in ('spacy_transformers', 'transformers') if m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().splitlines()[-1] == "[]"
    docs = DocBin().from_disk(tmp_path / "docs.spacy").get_docs(spacy.blank("en").vocab)
    write_report(list(docs), tmp_path / "python.html")
    assert (tmp_path / "cli.html").read_bytes() == (tmp_path / "python.html").read_bytes()


# --- in Chromium -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    playwright = pytest.importorskip("playwright.sync_api")
    if CHROMIUM is None:
        pytest.skip("chromium not installed (apt-get install chromium)")
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser):
    pages = []

    def load(path: Path):
        page = browser.new_page(viewport={"width": 1000, "height": 800})
        page.errors = []
        page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        page.goto(path.as_uri())
        pages.append(page)
        return page

    yield load
    for page in pages:
        page.close()


def _centre_bottom(box):
    return box["x"] + box["width"] / 2, box["y"] + box["height"]


def _not_blank(png: Path) -> bool:
    from PIL import Image

    colours = Image.open(png).convert("RGB").getcolors(maxcolors=1 << 20)
    return colours is not None and len(colours) > 20


def test_report_in_chromium_draws_every_link_between_the_right_tokens(tmp_path, open_page):
    write_report(_corpus(), tmp_path / "r.html")
    page = open_page(tmp_path / "r.html")
    assert page.errors == []
    first = page.locator(".ta-doc").first
    lines = first.locator("svg.ta-links line")
    assert lines.count() == 5
    for k in range(5):
        line = lines.nth(k)
        i, j = int(line.get_attribute("data-src")), int(line.get_attribute("data-tgt"))
        src = first.locator(f'.ta-src .ta-tok[data-i="{i}"]').bounding_box()
        tgt = first.locator(f'.ta-tgt .ta-tok[data-i="{j}"]').bounding_box()
        svg = first.locator("svg.ta-links").bounding_box()
        x1, y1 = float(line.get_attribute("x1")) + svg["x"], float(line.get_attribute("y1")) + svg["y"]
        x2, y2 = float(line.get_attribute("x2")) + svg["x"], float(line.get_attribute("y2")) + svg["y"]
        assert (x1, y1) == pytest.approx(_centre_bottom(src), abs=1)
        assert (x2, y2) == pytest.approx((tgt["x"] + tgt["width"] / 2, tgt["y"]), abs=1)
    assert float(lines.nth(1).get_attribute("stroke-opacity")) == pytest.approx(0.4)  # the link's score
    assert first.locator(".ta-src .ta-ent").get_attribute("data-label") == "PER"
    assert first.locator(".ta-reason").inner_text() == "projected"
    first.screenshot(path=str(tmp_path / "doc.png"))
    page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
    assert _not_blank(tmp_path / "doc.png") and _not_blank(tmp_path / "report.png")


def test_report_filters_search_paging_escaping_long_and_rtl_rows(tmp_path, open_page):
    write_report(_corpus(), tmp_path / "r.html")
    page = open_page(tmp_path / "r.html")
    docs = page.locator(".ta-list .ta-doc")
    assert docs.count() == 50 and "64 of 64 Docs" in page.locator(".ta-info").inner_text()  # page 1 of 2
    page.click("button[name=next]")
    assert docs.count() == 14
    page.select_option("select[name=outcome]", "dropped_no_alignment")
    assert docs.count() == 1 and docs.first.get_attribute("data-doc") == "1"
    assert docs.first.locator(".ta-src .ta-tok").first.inner_text() == "<script>alert('x')</script>"  # text, not markup
    assert page.evaluate("typeof window.alerted") == "undefined" and page.errors == []
    page.select_option("select[name=outcome]", "")
    page.select_option("select[name=label]", "PER")
    assert docs.count() == 1 and docs.first.get_attribute("data-doc") == "0"
    page.select_option("select[name=label]", "")
    page.fill("input[name=search]", "australiano")
    assert docs.count() == 1 and docs.first.locator(".ta-hit").inner_text() == "australiano"
    page.fill("input[name=search]", "w89")
    scroll = docs.first.locator(".ta-scroll")
    assert scroll.evaluate("e => e.scrollWidth > e.clientWidth + 500")  # 90 tokens scroll sideways
    assert docs.first.locator("svg.ta-links line").count() == 90
    page.fill("input[name=search]", "ירושלים")
    rtl = docs.first.locator(".ta-tgt")
    assert rtl.get_attribute("dir") == "rtl"
    first, last = (rtl.locator(".ta-tok").nth(k).bounding_box() for k in (0, 2))
    assert first["x"] > last["x"]  # the first Hebrew word is on the right
    assert page.errors == []


def test_render_fragment_runs_in_a_page_of_its_own(tmp_path, open_page):
    (tmp_path / "one.html").write_text(render([_moody(), _hostile()], jupyter=False, page_html=True), encoding="utf-8")
    page = open_page(tmp_path / "one.html")
    assert page.locator(".ta-doc").count() == 2 and page.locator("svg.ta-links line").count() == 9
    assert page.errors == []


def test_serve_app_answers_with_the_report_page():
    from wsgiref.util import setup_testing_defaults

    from spacy_transalign.viewer import make_app

    environ, seen = {}, {}
    setup_testing_defaults(environ)
    body = b"".join(make_app("<p>report</p>")(environ, lambda status, headers: seen.update(status=status, headers=headers)))
    assert body == b"<p>report</p>" and seen["status"] == "200 OK"
    assert ("Content-type", "text/html; charset=utf-8") in seen["headers"]
