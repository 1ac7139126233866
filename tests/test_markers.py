"""Marker-based projection: markup in, markup out, alignment where markers are lost."""
import pytest
import spacy
from spacy.tokens import Doc, Span

from spacy_transalign import WordAlignment
from spacy_transalign.projection.markers import mark, unmark

from needs import needs_apertium


def test_mark_escapes_text_and_unmark_restores_it():
    text = "A <b> & Co. met Paris"
    marked = mark(text, [(0, 11, "ORG"), (16, 21, "LOC")])
    assert marked == '<b id="0">A &lt;b&gt; &amp; Co.</b> met <b id="1">Paris</b>'
    assert unmark(marked) == (text, {0: (0, 11), 1: (16, 21)})


def test_unmark_rejects_duplicated_empty_and_unclosed_markers():
    text, spans = unmark('<b id="0">UE</b> y <b id="0">UE</b> <b id="1"> </b> <b id="2">Roma')
    assert text == "UE y UE   Roma" and spans == {}


@needs_apertium
def test_apertium_carries_markers_into_translation_entities():
    nlp = spacy.blank("en")
    nlp.add_pipe("transalign_translator", config={
        "translator": {"@misc": "spacy-transalign.ApertiumTranslator.v1", "pair": "en-es", "format": "html"},
        "mark_entities": True})
    doc = nlp.make_doc("The Commission met Angela Merkel in New York . Germany agreed .")
    doc.ents = [Span(doc, 1, 2, "ORG"), Span(doc, 3, 5, "PER"), Span(doc, 6, 8, "LOC"), Span(doc, 9, 10, "LOC")]
    doc = nlp(doc)
    translation = doc._.translation
    assert translation.text == "La Comisión cumplió Angela Merkel en Nueva York . Alemania acordada ."
    assert [(e.text, e.label_) for e in translation.ents] == [
        ("Comisión", "ORG"), ("Angela Merkel", "PER"), ("Nueva York", "LOC"), ("Alemania", "LOC")]
    assert [o["reason"] for o in doc._.projection] == ["projected_by_marker"] * 4
    assert len(list(translation.sents)) == 2


def test_markers_need_a_markup_preserving_translator():
    nlp = spacy.blank("en")
    with pytest.raises(ValueError, match="keeps inline markup"):
        nlp.add_pipe("transalign_translator", config={
            "translator": {"@misc": "spacy-transalign.ApertiumTranslator.v1", "pair": "en-es", "format": "txt"},
            "mark_entities": True})


def test_projector_falls_back_to_alignment_only_for_lost_markers():
    en, es = spacy.blank("en"), spacy.blank("es")
    doc = Doc(en.vocab, words=["Merkel", "visited", "Paris", "and", "Rome"])
    doc.ents = [Span(doc, 0, 1, "PER"), Span(doc, 2, 3, "LOC"), Span(doc, 4, 5, "LOC")]
    translation = Doc(es.vocab, words=["Merkel", "visitó", "París", "y", "Roma"])
    translation.ents = [Span(translation, 0, 1, "PER")]  # the only marker that survived
    doc._.translation = translation
    doc._.projection = [
        {"source": [0, 1], "label": "PER", "text": "Merkel", "target": [0, 1], "reason": "projected_by_marker"},
        {"source": [2, 3], "label": "LOC", "text": "Paris", "target": None, "reason": "marker_lost"},
        {"source": [4, 5], "label": "LOC", "text": "Rome", "target": None, "reason": "marker_lost"},
    ]
    doc._.alignment = WordAlignment([(0, 0), (1, 1), (2, 2), (3, 3), (4, 4), (0, 4)])
    nlp = spacy.blank("en")
    nlp.add_pipe("transalign_projector", config={"strategy": {"@misc": "spacy-transalign.SupportProjection.v1", "min_purity": 0.0}})
    doc = nlp(doc)
    assert [(e.start, e.end, e.label_) for e in doc._.translation.ents] == [(0, 1, "PER"), (2, 3, "LOC"), (4, 5, "LOC")]
    first = [dict(o) for o in doc._.projection]
    assert nlp(doc)._.projection == first  # a second run changes nothing
    assert [o["reason"] for o in doc._.projection] == [
        # París matches "Paris" once accents are folded; Roma only through the alignment
        "projected_by_marker", "projected_by_string_match_after_marker_loss", "projected_after_marker_loss"]
