"""Apertium backend: a batch gives what each sentence gives alone, markup survives, missing pairs are named."""
import pytest

from spacy_transalign.translators.apertium import ApertiumNotAvailableError, ApertiumTranslator

from needs import needs_apertium


def _apertium_alone(mode: str, fmt: str, lines):
    """Each sentence in an ``apertium`` process of its own: the reference a batch must equal."""
    import re
    import subprocess
    from concurrent.futures import ThreadPoolExecutor

    def one(line):
        text = f"<p>{line}</p>" if fmt == "html" else line
        out = subprocess.run(["apertium", "-u", "-f", fmt, mode], input=text + "\n", capture_output=True, text=True).stdout.strip()
        return re.sub(r"^<p>(.*)</p>$", r"\1", out).strip() if fmt == "html" else out

    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(one, lines))


@needs_apertium
def test_apertium_batch_keeps_sentences_apart():
    """Apertium's own batch mode moves words across lines and lowercases after a line; ours does not."""
    batch = ["BONN 1996-08-22", "The Agriculture Ministry said the figures were provisional .",
             "German first-time registrations of motor vehicles jumped 14.2 percent in July ."]
    out = ApertiumTranslator("en-es").translate(batch)
    assert out == _apertium_alone("eng-spa", "txt", batch)
    assert out[0] == "BONN 1996-08-22" and out[2].startswith("Alemán")


@needs_apertium
def test_apertium_tagger_state_does_not_leak():
    """'included' makes apertium-tagger rewrite its open class; the next sentence must not see it."""
    batch = ["She included .", "Speaking only hours after Chinese state media said the time was right to engage in "
             "political talks with Taiwan , Foreign Ministry spokesman Shen Guofang told Reuters ."]
    translator = ApertiumTranslator("en-es")
    out = translator.translate(batch)
    assert out == _apertium_alone("eng-spa", "txt", batch)
    assert "dijo Reuters" in out[1]  # Apertium's own batch mode gives "dicho Reuters"
    assert translator._pipeline.tagger_restarts == 1


@needs_apertium
def test_apertium_recovers_from_a_crashing_sentence(caplog):
    """apertium-transfer -z crashes a few sentences after '[ CORRECTED ... ]': nothing is lost."""
    batch = ["Quarterfinals", "[ CORRECTED 05:30 GMT ]", "CARLSBAD , California 1996-08-22", "Quarterfinals",
             "Conchita Martinez ( Spain ) beat Nathalie Tauziat ( France ) 6-4 6-3", "Results of the matches", "Hello"]
    out = ApertiumTranslator("en-es").translate(batch)
    assert out == _apertium_alone("eng-spa", "txt", batch)
    assert "lost sentence 2 of a batch of 7" in caplog.text


@needs_apertium
def test_apertium_html_goes_in_parts_and_a_failing_part_is_halved_alone(caplog):
    """tf-extract/tf-inject work on parts of a batch; a part that Transfuse cannot give back line
    for line (a block element inside a sentence) is halved on its own, the other parts stay whole."""
    import logging

    lines = ["The house .", 'She included <b id="0">Paris</b> .', "the <div>dog</div> runs", "The cat .",
             '<b id="0">Peter Blackburn</b>', "Hello"]
    whole = ApertiumTranslator("en-es", format="html").translate_markup(lines)  # one part
    parted = ApertiumTranslator("en-es", format="html")
    parted.html_part_size = 2
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="spacy_transalign"):
        assert parted.translate_markup(lines) == whole == _apertium_alone("eng-spa", "html", lines)
    assert whole[1] == 'Incluyó <b id="0">París</b> .' and whole[4] == '<b id="0">Peter Blackburn</b>'
    assert [r.getMessage() for r in caplog.records] == [
        "tf-inject gave 1 lines for 2 sentences; halving a batch of 2",
        "tf-inject gave 1 lines for 1 sentences; translating that sentence in a process of its own"]


@pytest.mark.slow
@needs_apertium
def test_apertium_batch_equals_each_sentence_alone_on_1000_conll_sentences(shared_data):
    from spacy_transalign.corpora import read_bio
    from spacy_transalign.projection import markers
    from spacy_transalign.evaluation import bio_spans

    sentences = read_bio(shared_data / "conll2003_en" / "train.txt")[:1000]
    plain = [" ".join(words) for words, _ in sentences]
    spanish = ApertiumTranslator("en-es").translate(plain)
    assert spanish == _apertium_alone("eng-spa", "txt", plain)
    assert spanish[:3] == ["UE rehusa llamada alemana para boicotear cordero británico .", "Peter Blackburn", "BRUSELAS 1996-08-22"]
    marked = []
    for words, tags in sentences:
        starts = [sum(len(w) + 1 for w in words[:k]) for k in range(len(words) + 1)]
        marked.append(markers.mark(" ".join(words), [(starts[s], starts[e] - 1, label) for s, e, label in bio_spans(tags)]))
    html = ApertiumTranslator("en-es", format="html").translate_markup(marked)
    assert html == _apertium_alone("eng-spa", "html", marked)
    assert sum(m.count("<b id=") for m in marked) == 1704 and sum(h.count("<b id=") for h in html) > 0.9 * 1704


@needs_apertium
def test_apertium_html_treats_text_as_text():
    """In html format, user text is escaped before markup is added and unescaped after."""
    texts = ["Q3&#10;x the bird sings", "<!-- the dog barks", "<?php echo 1 ?> the cat", "a &lt; b &amp; c", "I like <b>bold</b> ."]
    html = ApertiumTranslator("en-es", format="html").translate(texts)
    assert len(html) == 5 and all(html)
    assert "&#10;" in html[0] and "canta" in html[0]
    assert html[1].startswith("<!--") and "perro" in html[1]
    assert "<?php" in html[2] and "gato" in html[2]
    assert "&lt;" in html[3] and "&amp;" in html[3]
    assert "<b>" in html[4]  # the user's own angle brackets are text, not markup


@needs_apertium
def test_apertium_line_breaks_inside_a_text_are_spaces():
    """One text is one line: a carriage return, form feed or U+2028 in it must not split it."""
    texts = ["Adiós\rBarcelona .", "Adiós\u2028Barcelona\x0c.", "Adiós Barcelona .", "", "Hola\x00Madrid ."]
    out = ApertiumTranslator("es-en").translate(texts)
    assert out[:4] == ["Goodbye Barcelona ."] * 3 + [""]
    assert out[4] == _apertium_alone("spa-eng", "txt", [texts[4]])[0] == "HolaMadrid ."  # as Apertium alone: it drops a NUL


@needs_apertium
def test_apertium_keeps_hash_at_and_asterisk():
    out = ApertiumTranslator("en-es").translate(["#MeToo and @john and *stars* ."])
    assert out == _apertium_alone("eng-spa", "txt", ["#MeToo and @john and *stars* ."])
    assert "#MeToo" in out[0] and "@john" in out[0]


@needs_apertium
def test_apertium_keeps_markup_and_empty_lines():
    out = ApertiumTranslator("en-es", format="html").translate_markup(["Elon Musk visited <b id=\"0\">Paris</b> .", "", "Hello"])
    assert out == ["Elon El almizcle visitó <b id=\"0\">París</b> .", "", "Hola"]


@needs_apertium
def test_apertium_missing_pair_names_the_package():
    with pytest.raises(ApertiumNotAvailableError, match="apt-get install apertium-eng-deu"):
        ApertiumTranslator("en-de").translate(["x"])


@needs_apertium
def test_a_missing_apertium_pair_fails_when_the_pipeline_is_built():
    import spacy

    with pytest.raises(ApertiumNotAvailableError, match="apt-get install apertium-eng-deu"):
        spacy.blank("en").add_pipe("transalign_translator", config={
            "translator": {"@misc": "spacy-transalign.ApertiumTranslator.v1", "pair": "en-de"}})
