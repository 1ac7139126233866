"""Translation backends: transformers, CTranslate2 (same greedy output) and Apertium."""
import shutil
import time

import pytest

from spacy_transalign.translators.apertium import ApertiumNotAvailableError, ApertiumTranslator
from spacy_transalign.translators.cache import TranslationCache
from spacy_transalign.translators.ct2 import CT2Translator, convert_to_ct2
from spacy_transalign.translators.hf import HFTranslator

needs_apertium = pytest.mark.skipif(shutil.which("apertium") is None, reason="apertium not installed (apt-get install apertium apertium-eng-spa)")


@pytest.fixture(scope="module")
def english(shared_data):
    from spacy_transalign.corpora import read_bio

    return [" ".join(words) for words, _ in read_bio(shared_data / "conll2003_en" / "train.txt")[:1000]]


def _hf(tiny_nllb, **kwargs):
    kwargs.setdefault("max_new_tokens", 12)
    return HFTranslator(str(tiny_nllb), src_lang="eng_Latn", tgt_lang="fra_Latn", **kwargs)


def test_hf_is_deterministic_and_batch_size_free(tiny_nllb, english):
    texts = english[:48]
    one = _hf(tiny_nllb, batch_size=1).translate(texts)
    sixteen = _hf(tiny_nllb, batch_size=16).translate(texts)
    assert one == sixteen == _hf(tiny_nllb, batch_size=16).translate(texts)
    assert all(one) and len(set(one)) > 1


def test_ct2_greedy_output_equals_transformers(tiny_nllb, english, tmp_path):
    ct2_dir = convert_to_ct2(str(tiny_nllb), tmp_path / "ct2")
    texts = english[:48]
    expected = _hf(tiny_nllb, batch_size=8).translate(texts)
    ct2 = CT2Translator(str(ct2_dir), src_lang="eng_Latn", tgt_lang="fra_Latn", compute_type="float32", max_new_tokens=12)
    assert ct2.translate(texts) == expected
    int8 = CT2Translator(str(ct2_dir), src_lang="eng_Latn", tgt_lang="fra_Latn", compute_type="int8", max_new_tokens=12)
    assert len(int8.translate(texts)) == len(texts)


def test_ct2_missing_model_says_how_to_convert(tmp_path):
    with pytest.raises(FileNotFoundError, match="convert-ct2"):
        CT2Translator(str(tmp_path)).translate(["x"])


def test_unknown_target_language_is_a_clear_error(tiny_nllb):
    with pytest.raises(ValueError, match="Unknown target language code 'xyz_Latn'"):
        HFTranslator(str(tiny_nllb), src_lang="eng_Latn", tgt_lang="xyz_Latn").translate(["hello"])


@needs_apertium
def test_apertium_translates_1000_conll_sentences_fast_in_order(english):
    started = time.perf_counter()
    spanish = ApertiumTranslator("en-es").translate(english)
    seconds = time.perf_counter() - started
    assert seconds < 10
    assert len(spanish) == 1000 and all(spanish)
    assert spanish[:3] == ["UE rehusa llamada alemana para boicotear cordero británico .", "Peter Blackburn", "BRUSELAS 1996-08-22"]
    # every sentence comes back on its own: translating one alone gives the same line
    for k in (10, 500, 999):
        assert ApertiumTranslator("en-es").translate([english[k]]) == [spanish[k]]


@needs_apertium
def test_apertium_keeps_markup_and_empty_lines():
    out = ApertiumTranslator("en-es", format="html").translate(["Elon Musk visited <span>Paris</span> .", "", "Hello"])
    assert out == ["Elon El almizcle visitó <span>París</span> .", "", "Hola"]


@needs_apertium
def test_apertium_missing_pair_names_the_package():
    with pytest.raises(ApertiumNotAvailableError, match="apt-get install apertium-eng-deu"):
        ApertiumTranslator("en-de").translate(["x"])


def test_cache_resumes_an_interrupted_run(tmp_path):
    calls = []

    def flaky(texts):
        calls.append(list(texts))
        if len(calls) == 2:
            raise KeyboardInterrupt  # the run dies during its second batch
        return [t.upper() for t in texts]

    cache = TranslationCache(tmp_path)
    assert cache.translate("b", ["a", "b"], flaky) == ["A", "B"]
    with pytest.raises(KeyboardInterrupt):
        cache.translate("b", ["c", "d"], flaky)
    cache.close()
    resumed = TranslationCache(tmp_path)  # a new process: only the lost batch is translated again
    assert resumed.translate("b", ["a", "b", "c", "d"], flaky) == ["A", "B", "C", "D"]
    assert calls[-1] == ["c", "d"] and resumed.hits == 2
    assert resumed.translate("other-backend", ["a"], lambda t: ["x"]) == ["x"]  # keys include the backend
