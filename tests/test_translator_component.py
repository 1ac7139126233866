"""transalign_translator on real English Docs, and a translate+align pipeline loaded from disk."""
import json
import subprocess
import sys

import pytest
import spacy

from needs import needs_apertium


def _hf_config(tiny_nllb, **extra):
    translator = {"@misc": "spacy-transalign.HFTranslator.v1", "model": str(tiny_nllb), "src_lang": "eng_Latn",
                  "tgt_lang": "fra_Latn", "max_new_tokens": 10}
    translator.update(extra)
    return {"translator": translator}


def test_translates_real_docs_per_sentence_and_keeps_boundaries(tiny_nllb, english_news):
    texts = [" ".join(w) for w, _ in english_news[:30]]
    nlp = spacy.blank("en")
    component = nlp.add_pipe("transalign_translator", config=_hf_config(tiny_nllb))
    assert component.target_lang == "fr"  # derived from fra_Latn
    long_doc = nlp.make_doc(" ".join(texts[:3]))  # three sentences in one Doc
    docs = list(nlp.pipe([long_doc] + [nlp.make_doc(t) for t in texts] + [nlp.make_doc("   ")], batch_size=8))
    for doc in docs[1:-1]:
        assert doc._.translation.lang_ == "fr" and len(doc._.translation) > 0
    alone = [component.translator.translate([s])[0] for s in component.sentence_texts(long_doc)]
    sents = list(docs[0]._.translation.sents)
    assert len(sents) == len(alone) >= 2
    assert [s.text for s in sents] == [spacy.blank("fr").make_doc(t).text for t in alone]
    assert len(docs[-1]._.translation) == 0  # whitespace-only Doc -> empty translation, no error
    again = [d._.translation.text for d in nlp.pipe([nlp.make_doc(t) for t in texts], batch_size=1)]
    assert again == [d._.translation.text for d in docs[1:-1]]


@needs_apertium
def test_apertium_in_a_pipeline_with_cache(tmp_path):
    nlp = spacy.blank("en")
    nlp.add_pipe("transalign_translator", config={
        "translator": {"@misc": "spacy-transalign.ApertiumTranslator.v1", "pair": "en-es"},
        "cache_dir": str(tmp_path / "cache")})
    doc = nlp("The European Commission said on Thursday it disagreed. Germany wants more tests.")
    assert doc._.translation.lang_ == "es"
    assert [s.text for s in doc._.translation.sents][1] == "Alemania quiere más pruebas."
    component = nlp.get_pipe("transalign_translator")
    assert component.summary["translated"] == 2
    nlp("The European Commission said on Thursday it disagreed. Germany wants more tests.")
    assert component.summary["translated"] == 2  # second time: all from the cache


def test_translate_and_align_pipeline_loads_without_import(tiny_nllb, tmp_path):
    nlp = spacy.blank("en")
    nlp.add_pipe("transalign_translator", config=_hf_config(tiny_nllb))
    nlp.add_pipe("transalign_aligner", config={"aligner": {
        "@misc": "spacy-transalign.EncoderAligner.v1", "model": str(tiny_nllb), "layer": 2, "method": "argmax"}})
    nlp.to_disk(tmp_path / "pipeline")
    expected = nlp("The house is red .")
    script = f"""
import json, spacy
nlp = spacy.load({str(tmp_path / 'pipeline')!r})
doc = nlp("The house is red .")
print(json.dumps([doc._.translation.text, doc._.alignment.pairs]))
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    text, pairs = json.loads(out.stdout.strip().splitlines()[-1])
    assert text == expected._.translation.text
    assert [tuple(p) for p in pairs] == expected._.alignment.pairs


def test_cli_translate_text_file(tiny_nllb, tmp_path):
    from spacy.tokens import DocBin
    from typer.testing import CliRunner

    from spacy_transalign.cli import app

    cfg = tmp_path / "translator.cfg"
    cfg.write_text(f'[translator]\n@misc = "spacy-transalign.HFTranslator.v1"\nmodel = "{tiny_nllb}"\n'
                   'src_lang = "eng_Latn"\ntgt_lang = "fra_Latn"\nmax_new_tokens = 8\n')
    src = tmp_path / "in.txt"
    src.write_text("The house is red .\nPeter Blackburn\n")
    result = CliRunner().invoke(app, ["translate", str(src), str(tmp_path / "out.spacy"), "--translator-config", str(cfg)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output[result.output.index("{"):])
    assert summary["docs"] == 2 and summary["sentences"] == 2
    docs = list(DocBin().from_disk(tmp_path / "out.spacy").get_docs(spacy.blank("en").vocab))
    assert [d.text for d in docs] == ["The house is red .", "Peter Blackburn"]
    assert all(d._.translation is not None and d._.translation.lang_ == "fr" for d in docs)


@needs_apertium
def test_translate_test_with_annotate_with_and_projection_back(tmp_path):
    """Spanish in, English translation tagged by an English pipeline, entities carried back."""
    tagger = spacy.blank("en")
    ruler = tagger.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "PER", "pattern": "Angela Merkel"}, {"label": "LOC", "pattern": "Germany"}])
    tagger.to_disk(tmp_path / "en_tagger")
    nlp = spacy.blank("es")
    nlp.add_pipe("transalign_translator", config={
        "translator": {"@misc": "spacy-transalign.ApertiumTranslator.v1", "pair": "es-en"},
        "annotate_with": str(tmp_path / "en_tagger")})
    nlp.add_pipe("transalign_aligner", config={"aligner": {"@misc": "spacy-transalign.EflomalAligner.v1"}})
    nlp.add_pipe("transalign_projector", config={"direction": "from_translation"})
    texts = ["Angela Merkel visitó Alemania ayer .", "Angela Merkel habló con los periodistas .", "El tiempo es bueno ."]
    docs = list(nlp.pipe(texts))
    assert [(e.text, e.label_) for e in docs[0]._.translation.ents][0] == ("Angela Merkel", "PER")
    assert [(e.text, e.label_) for e in docs[1].ents] == [("Angela Merkel", "PER")]
    assert ("Angela Merkel", "PER") in [(e.text, e.label_) for e in docs[0].ents]
    assert docs[2].ents == ()


def test_aligner_reuses_the_translators_encoder_states(tiny_nllb, english_news):
    from spacy.tokens import Doc

    from spacy_transalign import EncoderAligner
    from spacy_transalign.encoder_states import SHARED_STATES

    sentences = [w for w, _ in english_news[:40]]
    nlp = spacy.blank("en")
    nlp.add_pipe("transalign_translator", config=_hf_config(tiny_nllb))
    nlp.add_pipe("transalign_aligner", config={"aligner": {
        "@misc": "spacy-transalign.EncoderAligner.v1", "model": str(tiny_nllb), "layer": 2}})  # the last layer
    SHARED_STATES.clear()
    hits = SHARED_STATES.hits
    docs = list(nlp.pipe([Doc(nlp.vocab, words=w) for w in sentences], batch_size=16))
    assert SHARED_STATES.hits - hits == len(sentences)  # no source sentence was encoded twice
    fresh = EncoderAligner(str(tiny_nllb), layer=2, src_lang="eng_Latn", tgt_lang="fra_Latn")
    fresh.initialize()
    fresh._reuses_translator_states = False
    expected = fresh.align([[t.text for t in d] for d in docs], [[t.text for t in d._.translation] for d in docs])
    reused = {(k, p) for k, d in enumerate(docs) for p in d._.alignment.pairs}
    plain = {(k, p) for k, a in enumerate(expected) for p in a.pairs}
    assert 2 * len(reused & plain) / (len(reused) + len(plain)) > 0.999  # same links up to float rounding


def test_encoder_states_flow_only_to_an_aligner_that_asked_with_the_same_dtype(tiny_nllb):
    """No aligner, no stored states; a bf16 translator's states never feed an fp32 aligner."""
    from spacy.tokens import Doc

    from spacy_transalign.encoder_states import SHARED_STATES

    words = [["the", "house", "is", "red"], ["Peter", "Blackburn"]]
    SHARED_STATES._wanted.clear()
    SHARED_STATES.clear()
    alone = spacy.blank("en")
    alone.add_pipe("transalign_translator", config=_hf_config(tiny_nllb))
    list(alone.pipe([Doc(alone.vocab, words=w) for w in words]))
    assert len(SHARED_STATES._items) == 0  # nobody asked: nothing kept
    for dtype, expected_hits in (("bfloat16", 0), ("float32", 2)):
        nlp = spacy.blank("en")
        config = _hf_config(tiny_nllb)
        config["translator"]["dtype"] = dtype
        nlp.add_pipe("transalign_translator", config=config)
        nlp.add_pipe("transalign_aligner", config={"aligner": {
            "@misc": "spacy-transalign.EncoderAligner.v1", "model": str(tiny_nllb), "layer": 2}})
        hits = SHARED_STATES.hits
        list(nlp.pipe([Doc(nlp.vocab, words=w) for w in words]))
        assert SHARED_STATES.hits - hits == expected_hits, dtype


@needs_apertium
def test_a_sentence_over_the_target_max_length_is_a_clear_error_before_or_after_translating(tmp_path):
    nlp = spacy.blank("en")
    component = nlp.add_pipe("transalign_translator", config={
        "translator": {"@misc": "spacy-transalign.ApertiumTranslator.v1", "pair": "en-es"}, "cache_dir": str(tmp_path)})
    component.target_nlp.max_length = 40
    with pytest.raises(ValueError, match=r"Doc 1 of the batch has a sentence of 44 characters, over the target "
                                         r"pipeline's max_length \(40\); stopped before translating"):
        list(nlp.pipe(["A short one.", "The old house near the river is painted blue"]))
    assert component.summary["translated"] == 0  # nothing was sent to the engine
    # 40 characters in (the limit), 47 out
    with pytest.raises(ValueError, match=r"Doc 0 of the batch has a sentence whose translation has \d\d characters.*"
                                         r"stopped after translating \(a cache_dir keeps the translations\)"):
        list(nlp.pipe(["The old houses by the river were painted"]))
    assert component.summary["translated"] == 1
    component.target_nlp.max_length = 1000
    assert len(list(nlp.pipe(["The old houses by the river were painted"]))[0]._.translation) > 0
    assert component.summary["translated"] == 1  # the second try came from the cache
