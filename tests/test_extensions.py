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
