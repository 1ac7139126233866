"""transalign_aligner on real spaCy Docs, in a pipeline, saved and loaded without an import."""
import json
import subprocess
import sys

import pytest
import spacy
from spacy.tokens import Doc

from spacy_transalign import EncoderAligner


def _config(tiny_nllb, **extra):
    aligner = {"@misc": "spacy-transalign.EncoderAligner.v1", "model": str(tiny_nllb), "layer": 2}
    aligner.update(extra)
    return {"aligner": aligner}


@pytest.fixture(scope="module")
def en_fr():
    return spacy.blank("en"), spacy.blank("fr")


def test_component_sets_alignments_equal_to_the_aligner(tiny_nllb, enfr_pairs, en_fr):
    en, fr = en_fr
    nlp = spacy.blank("en")
    nlp.add_pipe("transalign_aligner", config=_config(tiny_nllb))
    docs = []
    for src, tgt in enfr_pairs[:40]:
        doc = Doc(en.vocab, words=src)
        doc._.translation = Doc(fr.vocab, words=tgt)
        docs.append(doc)
    docs.append(Doc(en.vocab, words=["no", "translation"]))
    out = list(nlp.pipe(docs, batch_size=16))
    expected = EncoderAligner(str(tiny_nllb), layer=2, src_lang="eng_Latn", tgt_lang="fra_Latn").align(
        [s for s, _ in enfr_pairs[:40]], [t for _, t in enfr_pairs[:40]]
    )
    assert [d._.alignment.pairs for d in out[:40]] == [a.pairs for a in expected]
    assert out[40]._.alignment is None


def test_whitespace_tokens_are_skipped_without_shifting_indices(tiny_nllb, en_fr):
    en, fr = en_fr
    nlp = spacy.blank("en")
    nlp.add_pipe("transalign_aligner", config=_config(tiny_nllb, method="argmax"))
    doc = en("Mr. Speaker ,\n\n these segments  form the backbone .")
    doc._.translation = fr("Monsieur le  Orateur , ces secteurs\n servent de épine dorsale .")
    assert any(t.is_space for t in doc) and any(t.is_space for t in doc._.translation)
    nlp(doc)
    src_keep = [t.i for t in doc if not t.is_space]
    tgt_keep = [t.i for t in doc._.translation if not t.is_space]
    plain = EncoderAligner(str(tiny_nllb), layer=2, method="argmax", src_lang="eng_Latn", tgt_lang="fra_Latn").align(
        [[doc[i].text for i in src_keep]], [[doc._.translation[j].text for j in tgt_keep]]
    )[0]
    assert doc._.alignment.pairs == [(src_keep[i], tgt_keep[j]) for i, j in plain.pairs]
    assert not any(doc[i].is_space or doc._.translation[j].is_space for i, j in doc._.alignment.pairs)


def test_languages_come_from_the_docs_when_not_configured(tiny_nllb, en_fr):
    en, fr = en_fr
    nlp = spacy.blank("en")
    component = nlp.add_pipe("transalign_aligner", config=_config(tiny_nllb))
    doc = Doc(en.vocab, words=["the", "house"])
    doc._.translation = Doc(fr.vocab, words=["la", "maison"])
    nlp(doc)
    assert set(component.aligner._tokenizers) == {"eng_Latn", "fra_Latn"}


def test_saved_pipeline_loads_in_a_fresh_process_without_import(tiny_nllb, tmp_path):
    nlp = spacy.blank("en")
    nlp.add_pipe("transalign_aligner", config=_config(tiny_nllb, method="argmax"))
    nlp.to_disk(tmp_path / "pipeline")
    script = f"""
import json, sys, spacy
from spacy.tokens import Doc
nlp = spacy.load({str(tmp_path / 'pipeline')!r})
assert "spacy_transalign" in sys.modules  # imported by spaCy through the entry point
doc = nlp.make_doc("the house is red")
doc._.translation = spacy.blank("fr")("la maison est rouge")
print(json.dumps(nlp(doc)._.alignment.pairs))
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    pairs = json.loads(out.stdout.strip().splitlines()[-1])
    expected = EncoderAligner(str(tiny_nllb), layer=2, method="argmax", src_lang="eng_Latn", tgt_lang="fra_Latn").align(
        [["the", "house", "is", "red"]], [["la", "maison", "est", "rouge"]]
    )[0]
    assert [tuple(p) for p in pairs] == expected.pairs


def test_bad_method_in_config_is_rejected(tiny_nllb):
    nlp = spacy.blank("en")
    with pytest.raises(Exception, match=r"method\s+at root: .maxmatch. is not typing.Literal"):
        nlp.add_pipe("transalign_aligner", config=_config(tiny_nllb, method="maxmatch"))


def test_eflomal_bounds_its_iterations_and_warns_on_little_text(caplog):
    from spacy_transalign.aligners.eflomal import EflomalAligner, auto_iterations

    assert [auto_iterations(n) for n in (1, 100, 2499, 2500, 14042)] == [100, 100, 100, None, None]
    pair = (["the", "house", "is", "red"], ["la", "casa", "es", "roja"])
    alignments = EflomalAligner().align([pair[0]], [pair[1]])
    assert len(alignments) == 1 and "eflomal aligns 1 sentence pairs: too little text" in caplog.text
    assert len(EflomalAligner(n_iterations=5).align([pair[0]] * 300, [pair[1]] * 300)) == 300  # an int is accepted


def test_a_doc_language_without_flores_code_needs_explicit_codes(tiny_nllb):
    """A Bambara Doc made with spacy.blank("xx") must not be aligned as English."""
    nlp = spacy.blank("xx")
    nlp.add_pipe("transalign_aligner", config={"aligner": {
        "@misc": "spacy-transalign.EncoderAligner.v1", "model": str(tiny_nllb), "layer": 2}})
    doc = nlp.make_doc("Mali ka di")
    doc._.translation = spacy.blank("en")("Mali is good")
    with pytest.raises(ValueError, match="needs a language code for each side.*set src_lang and tgt_lang"):
        nlp(doc)
    explicit = spacy.blank("xx")
    explicit.add_pipe("transalign_aligner", config={"aligner": {
        "@misc": "spacy-transalign.EncoderAligner.v1", "model": str(tiny_nllb), "layer": 2, "src_lang": "bam_Latn"}})
    assert len(explicit(doc)._.alignment) > 0


def test_align_cli_does_not_guess_language_codes(tiny_nllb, tmp_path, monkeypatch, capsys):
    import sys

    from spacy_transalign.cli import run

    pairs = tmp_path / "pairs.txt"
    pairs.write_text("the house ||| la maison\n")
    monkeypatch.setattr(sys, "argv", ["spacy-transalign", "align", str(pairs), str(tmp_path / "out.txt"),
                                      "--model", str(tiny_nllb), "--layer", "2"])
    with pytest.raises(SystemExit) as exit_info:
        run()
    assert exit_info.value.code == 1 and "needs a language code for each side" in capsys.readouterr().err


@pytest.mark.parametrize("aligner, message", [
    ({"model": "/no/such/model", "layer": 2}, "Model folder '/no/such/model' does not exist"),
    ({"layer": 7}, "layer=7 but '.*' has 2 encoder layers"),
    ({"layer": 2, "lora_path": "/no/such/adapter"}, "lora_path '/no/such/adapter' is not a folder"),
])
def test_broken_settings_fail_when_the_pipeline_is_built(tiny_nllb, aligner, message):
    config = {"@misc": "spacy-transalign.EncoderAligner.v1", "model": str(tiny_nllb), **aligner}
    with pytest.raises(Exception, match=message):
        spacy.blank("en").add_pipe("transalign_aligner", config={"aligner": config})
