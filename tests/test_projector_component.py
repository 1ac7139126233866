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
    nlp.add_pipe("transalign_projector", config={"direction": "from_translation", "batch_size": 2000})  # one vote
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
    # "missing" exactly where a dropped entity's links point; "O" elsewhere
    for doc in out:
        dropped = [o["source"] for o in doc._.projection if o["target"] is None]
        unsure = {j for start, end in dropped for _, j in doc._.alignment.links_from(start, end)} - {
            t.i for e in doc._.translation.ents for t in e}
        assert {t.i for t in doc._.translation if t.ent_iob_ == ""} == unsure
    assert nlp.get_pipe("transalign_projector").summary["tokens_marked_missing"] > 0
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


def _merkel(nlp, annotated=True):
    doc = nlp.make_doc("Angela Merkel visited Paris and Rome")
    if annotated:
        doc.ents = [Span(doc, 0, 2, "PER"), Span(doc, 3, 4, "LOC"), Span(doc, 5, 6, "LOC")]
    doc._.translation = Doc(spacy.blank("es").vocab, words=["angela", "merkel", "visitó", "París", "y", "Roma"])
    from spacy_transalign.alignment import WordAlignment

    doc._.alignment = WordAlignment([(0, 0), (1, 1), (2, 2), (3, 3), (4, 4), (5, 5)])
    return doc


def test_running_the_projector_twice_gives_the_same_result():
    nlp = spacy.blank("en")
    nlp.add_pipe("transalign_projector")
    once = nlp(_merkel(nlp))
    outcomes = json.loads(json.dumps(once._.projection))
    ents = [(e.start, e.end, e.label_) for e in once._.translation.ents]
    twice = nlp(once)
    assert twice._.projection == outcomes and [(e.start, e.end, e.label_) for e in twice._.translation.ents] == ents
    assert [o["reason"] for o in outcomes] == ["dropped_lowercase_target", "projected_by_string_match", "projected"]


def test_an_untagged_source_leaves_the_translation_untagged():
    nlp = spacy.blank("en")
    projector = nlp.add_pipe("transalign_projector")
    doc = nlp(_merkel(nlp, annotated=False))
    assert not doc._.translation.has_annotation("ENT_IOB") and doc._.projection is None
    assert projector.summary["docs_source_not_annotated"] == 1


def test_unprojected_missing_marks_only_the_words_of_dropped_entities():
    nlp = spacy.blank("en")
    nlp.add_pipe("transalign_projector", config={"unprojected": "missing"})
    doc = nlp(_merkel(nlp))
    # "Angela Merkel" was dropped (lower-case target): its two linked words are missing, the rest O
    assert [t.ent_iob_ for t in doc._.translation] == ["", "", "O", "B", "O", "B"]


def test_component_batches_do_not_follow_nlp_pipe_batch_size():
    """The vote's scope is the projector's own batch_size, however nlp.pipe streams the Docs."""
    nlp = spacy.blank("en")
    nlp.add_pipe("transalign_projector", config={"batch_size": 10})
    docs = []
    for label in ("PER", "PER", "ORG"):  # the same name, tagged PER twice and ORG once
        doc = nlp.make_doc("Merkel spoke")
        doc.ents = [Span(doc, 0, 1, label)]
        doc._.translation = Doc(spacy.blank("es").vocab, words=["Merkel", "habló"])
        from spacy_transalign.alignment import WordAlignment

        doc._.alignment = WordAlignment([(0, 0), (1, 1)])
        docs.append(doc)
    out = list(nlp.pipe(docs, batch_size=1))
    assert [d._.translation.ents[0].label_ for d in out] == ["PER", "PER", "PER"]
    assert nlp.get_pipe("transalign_projector").summary["relabelled_by_vote"] == 1


def test_pipeline_error_handler_sees_a_failing_batch():
    nlp = spacy.blank("en")
    nlp.add_pipe("transalign_projector", config={"batch_size": 1})
    seen = []
    nlp.set_error_handler(lambda name, proc, docs, err: seen.append((name, len(docs), type(err).__name__)))
    good = _merkel(nlp)
    bad = _merkel(nlp)
    bad._.alignment = "not an alignment"
    out = list(nlp.pipe([bad, good]))
    assert seen == [("transalign_projector", 1, "AttributeError")] and out == [good]


def test_analyze_pipes_reports_a_wrong_order():
    nlp = spacy.blank("en")
    nlp.add_pipe("transalign_projector")
    nlp.add_pipe("transalign_aligner", config={"aligner": {"@misc": "spacy-transalign.EflomalAligner.v1"}})
    problems = nlp.analyze_pipes()["problems"]
    assert problems["transalign_projector"] == ["doc._.translation", "doc._.alignment"]
    assert problems["transalign_aligner"] == ["doc._.translation"]


def test_a_label_map_renames_labels_and_reports_the_entities_it_leaves_out():
    nlp = spacy.blank("en")
    projector = nlp.add_pipe("transalign_projector", config={"label_map": {"LOC": "GPE", "ORG": "ORG"}})
    doc = nlp(_merkel(nlp))
    assert [(e.text, e.label_) for e in doc._.translation.ents] == [("París", "GPE"), ("Roma", "GPE")]
    assert [(o["text"], o["label"], o["reason"]) for o in doc._.projection] == [
        ("Paris", "GPE", "projected_by_string_match"), ("Rome", "GPE", "projected"),
        ("Angela Merkel", "PER", "skipped_label_not_mapped")]
    assert projector.summary["skipped_label_not_mapped"] == 1
