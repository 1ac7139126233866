import spacy
from spacy.tokens import Doc

from spacy_transalign.progress import pipe_by_component


def _pipeline(tiny_nllb):
    nlp = spacy.blank("en")
    nlp.add_pipe("transalign_translator", config={"translator": {
        "@misc": "spacy-transalign.HFTranslator.v1", "model": str(tiny_nllb), "src_lang": "eng_Latn",
        "tgt_lang": "fra_Latn", "max_new_tokens": 10}, "batch_size": 7})
    nlp.add_pipe("transalign_aligner", config={"aligner": {
        "@misc": "spacy-transalign.EncoderAligner.v1", "model": str(tiny_nllb), "layer": 2}})
    nlp.add_pipe("transalign_projector")
    return nlp


def _annotated(nlp, sentences):
    docs = []
    for words, tags in sentences:
        docs.append(Doc(nlp.vocab, words=words, ents=tags))
    return docs


def test_component_by_component_gives_what_nlp_pipe_gives_with_a_bar_each(tiny_nllb, english_news, capsys):
    nlp = _pipeline(tiny_nllb)
    expected = list(nlp.pipe(_annotated(nlp, english_news[:20])))
    got = pipe_by_component(nlp, _annotated(nlp, english_news[:20]))
    assert [d._.translation.text for d in got] == [d._.translation.text for d in expected]
    assert [d._.alignment.pairs for d in got] == [d._.alignment.pairs for d in expected]
    projected = [[(e.start, e.end, e.label_) for e in d._.translation.ents] for d in got]
    assert projected == [[(e.start, e.end, e.label_) for e in d._.translation.ents] for d in expected]
    outcomes = [d._.projection for d in got]
    assert outcomes == [d._.projection for d in expected]
    assert sum(map(len, outcomes)) == sum(len(d.ents) for d in got) == 28  # one outcome per source entity
    err = capsys.readouterr().err
    for name in ("transalign_translator", "transalign_aligner", "transalign_projector"):
        assert f"{name}: 100%" in err and "20/20" in err
