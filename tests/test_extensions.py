"""doc._.translation and doc._.alignment survive DocBin and Doc.to_bytes."""
import spacy
from spacy.tokens import Doc, DocBin, Span

import spacy_transalign  # noqa: F401  (registers extensions and codecs)
from spacy_transalign import WordAlignment


def _doc_with_translation():
    en = spacy.blank("en")
    fr = spacy.blank("fr")
    doc = en("Angela Merkel visited Paris .")
    doc.ents = [Span(doc, 0, 2, "PER"), Span(doc, 3, 4, "LOC")]
    translation = fr("Angela Merkel a visité Paris .")
    translation.ents = [Span(translation, 4, 5, "LOC")]
    translation[0].is_sent_start = True
    doc._.translation = translation
    doc._.alignment = WordAlignment([(0, 0), (1, 1), (2, 2), (2, 3), (3, 4), (4, 5)], scores=[0.9] * 6)
    return doc


def _check(doc):
    t = doc._.translation
    assert isinstance(t, Doc)
    assert [tok.text for tok in t] == ["Angela", "Merkel", "a", "visité", "Paris", "."]
    assert [tok.whitespace_ for tok in t] == [" ", " ", " ", " ", " ", ""]
    assert [(e.start, e.end, e.label_) for e in t.ents] == [(4, 5, "LOC")]
    assert t.lang_ == "fr"
    assert doc._.alignment == WordAlignment([(0, 0), (1, 1), (2, 2), (2, 3), (3, 4), (4, 5)], scores=[0.9] * 6)
    assert [(e.text, e.label_) for e in doc.ents] == [("Angela Merkel", "PER"), ("Paris", "LOC")]


def test_docbin_round_trip():
    doc = _doc_with_translation()
    data = DocBin(docs=[doc], store_user_data=True).to_bytes()
    (restored,) = DocBin().from_bytes(data).get_docs(spacy.blank("en").vocab)
    _check(restored)


def test_doc_to_bytes_round_trip():
    doc = _doc_with_translation()
    restored = Doc(spacy.blank("en").vocab).from_bytes(doc.to_bytes())
    _check(restored)


def test_registration_is_idempotent():
    spacy_transalign.register_extensions()
    spacy_transalign.register_extensions()
    assert Doc.has_extension("translation") and Doc.has_extension("alignment")


def test_a_docbin_read_before_the_package_was_imported_still_decodes(tmp_path):
    """DocBin.from_bytes without our codecs leaves raw dicts; importing the package later must
    still give a Doc and a WordAlignment, not those dicts."""
    import subprocess
    import sys

    import spacy
    from spacy.tokens import DocBin

    from spacy_transalign import WordAlignment

    doc = spacy.blank("en")("Merkel visited Paris")
    doc._.translation = spacy.blank("es")("Merkel visitó París")
    doc._.alignment = WordAlignment([(0, 0), (1, 1), (2, 2)])
    (tmp_path / "docs.spacy").write_bytes(DocBin(docs=[doc], store_user_data=True).to_bytes())
    script = (
        "import spacy\nfrom spacy.tokens import DocBin\n"
        f"docs = list(DocBin().from_disk({str(tmp_path / 'docs.spacy')!r}).get_docs(spacy.blank('en').vocab))\n"
        "import spacy_transalign\n"
        "t = docs[0]._.translation\n"
        "print(type(t).__name__, t.text, t.lang_, docs[0]._.alignment.pairs)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "Doc Merkel visitó París es [(0, 0), (1, 1), (2, 2)]", out.stderr[-2000:]
