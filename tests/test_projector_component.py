"""transalign_projector in a pipeline on real Docs, both directions, through DocBin."""
import json

import pytest
import spacy
from spacy.tokens import Doc, DocBin, Span

from spacy_transalign.alignment import read_pharaoh_file
from spacy_transalign.corpora import read_bio
from spacy_transalign.evaluation import bio_spans
from spacy_transalign.projection.bio import project_sentences


@pytest.fixture(scope="module")
def bambara_sample(shared_data):
    folder = shared_data / "transalign_bam"
    english = read_bio(folder / "test-translate-bam-en-preds.txt")
    bambara = [w for w, _ in read_bio(folder / "test-bam.txt")]
    bam_to_en = read_pharaoh_file(folder / "bam-en-alignments.txt")
    return english, bambara, bam_to_en


def _doc(vocab, words, tags=None):
    doc = Doc(vocab, words=words)
    if tags:
        doc.ents = [Span(doc, s, e, label=lab) for s, e, lab in bio_spans(tags)]
    return doc


def _expected(english, bambara, bam_to_en):
    projections, _ = project_sentences(english, bambara, [a.inverted() for a in bam_to_en], "support")
    return [bio_spans(p.tags) for p in projections]


def test_translate_test_direction_matches_file_level_projection(bambara_sample):
    english, bambara, bam_to_en = bambara_sample
    nlp = spacy.blank("xx")
    nlp.add_pipe("transalign_projector", config={"direction": "from_translation"})
    en_vocab = spacy.blank("en").vocab
    docs = []
    for (en_words, en_tags), bam_words, alignment in zip(english, bambara, bam_to_en):
        doc = _doc(nlp.vocab, bam_words)
        doc._.translation = _doc(en_vocab, en_words, en_tags)
        doc._.alignment = alignment
        docs.append(doc)
    out = list(nlp.pipe(docs, batch_size=2000))
    got = [[(e.start, e.end, e.label_) for e in doc.ents] for doc in out]
    assert got == _expected(english, bambara, bam_to_en)
    summary = nlp.get_pipe("transalign_projector").summary
    assert summary["docs"] == 1274 and summary["relabelled_by_vote"] == 60
    assert sum(len(doc._.projection) for doc in out) == 1398


def test_translate_train_direction_and_docbin_round_trip(bambara_sample):
    english, bambara, bam_to_en = bambara_sample
    nlp = spacy.blank("en")
    nlp.add_pipe("transalign_projector", config={"direction": "to_translation", "unprojected": "missing"})
    xx_vocab = spacy.blank("xx").vocab
    docs = []
    for (en_words, en_tags), bam_words, alignment in list(zip(english, bambara, bam_to_en))[:200]:
        doc = _doc(nlp.vocab, en_words, en_tags)
        doc._.translation = _doc(xx_vocab, bam_words)
        doc._.alignment = alignment.inverted()
        docs.append(doc)
    out = list(nlp.pipe(docs, batch_size=2000))
    projections, _ = project_sentences(english[:200], bambara[:200], [a.inverted() for a in bam_to_en[:200]], "support")
    assert [[(e.start, e.end, e.label_) for e in d._.translation.ents] for d in out] == [bio_spans(p.tags) for p in projections]
    first = next(d for d in out if d._.translation.ents)
    outside = [t.ent_iob_ for t in first._.translation if t.ent_type_ == ""]
    assert outside and set(outside) == {""}  # "missing", not "O"
    restored = list(DocBin(docs=out, store_user_data=True).from_bytes(
        DocBin(docs=out, store_user_data=True).to_bytes()).get_docs(nlp.vocab))
    for before, after in zip(out, restored):
        assert [(e.start, e.end, e.label_) for e in after._.translation.ents] == [
            (e.start, e.end, e.label_) for e in before._.translation.ents]
        # DocBin reads msgpack arrays back as tuples: compare as JSON
        assert json.loads(json.dumps(after._.projection)) == before._.projection
        assert [t.ent_iob_ for t in after._.translation] == [t.ent_iob_ for t in before._.translation]


def test_docs_without_alignment_are_counted_not_dropped():
    nlp = spacy.blank("en")
    projector = nlp.add_pipe("transalign_projector")
    doc = nlp.make_doc("Nothing to project here")
    assert nlp(doc) is doc and doc._.projection is None
    assert projector.summary["docs_without_alignment"] == 1


def test_full_pipeline_aligner_then_projector(tiny_nllb):
    from spacy_transalign.projection.hull import hull_tags

    nlp = spacy.blank("en")
    nlp.add_pipe("transalign_aligner", config={"aligner": {
        "@misc": "spacy-transalign.EncoderAligner.v1", "model": str(tiny_nllb), "layer": 2, "method": "argmax"}})
    nlp.add_pipe("transalign_projector", config={"strategy": {"@misc": "spacy-transalign.HullProjection.v1"}})
    doc = nlp.make_doc("Angela Merkel visited Paris .")
    doc.ents = [Span(doc, 0, 2, "PER"), Span(doc, 3, 4, "LOC")]
    doc._.translation = spacy.blank("fr")("Angela Merkel a visité Paris .")
    doc = nlp(doc)
    assert len(doc._.alignment) > 0
    tags, _ = hull_tags(["B-PER", "I-PER", "O", "B-LOC", "O"], 6, doc._.alignment)
    assert [(e.start, e.end, e.label_) for e in doc._.translation.ents] == bio_spans(tags)
    assert [o["text"] for o in doc._.projection] == ["Angela Merkel", "Paris"]


@pytest.mark.parametrize("config,field", [
    ({"direction": "sideways"}, "direction"),
    ({"unprojected": "maybe"}, "unprojected"),
    ({"strategy": {"@misc": "spacy-transalign.SupportProjection.v1", "max_gap": "wide"}}, "max_gap"),
])
def test_config_typos_are_rejected_by_validation(config, field):
    with pytest.raises(Exception, match=rf"-> {field}\s+at root: .* is not"):
        spacy.blank("en").add_pipe("transalign_projector", config=config)
