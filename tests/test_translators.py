"""Translation backends: transformers, CTranslate2 (same greedy output), the cache (Apertium: test_apertium.py)."""
import pytest

from spacy_transalign.translators.cache import TranslationCache
from spacy_transalign.translators.ct2 import CT2Translator, convert_to_ct2
from spacy_transalign.translators.hf import HFTranslator


def _hf(tiny_nllb, **kwargs):
    kwargs.setdefault("max_new_tokens", 12)
    return HFTranslator(str(tiny_nllb), src_lang="eng_Latn", tgt_lang="fra_Latn", **kwargs)


def test_hf_is_deterministic_and_batch_size_free(tiny_nllb, english_news):
    texts = [" ".join(words) for words, _ in english_news[:48]]
    one = _hf(tiny_nllb, batch_size=1).translate(texts)
    sixteen = _hf(tiny_nllb, batch_size=16).translate(texts)
    assert one == sixteen == _hf(tiny_nllb, batch_size=16).translate(texts)
    assert all(one) and len(set(one)) > 1


def test_ct2_greedy_output_equals_transformers(tiny_nllb, english_news, tmp_path):
    ct2_dir = convert_to_ct2(str(tiny_nllb), tmp_path / "ct2")
    texts = [" ".join(words) for words, _ in english_news[:48]]
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


def test_hf_missing_folder_says_how_to_provide_the_model(tmp_path):
    from spacy_transalign.models import ModelNotAvailableError

    with pytest.raises(ModelNotAvailableError, match=f"Model folder '{tmp_path}/missing' does not exist. .*huggingface-cli download"):
        HFTranslator(str(tmp_path / "missing")).translate(["x"])


def test_hf_hub_name_offline_fails_at_once_with_the_hint():
    from spacy_transalign.models import ModelNotAvailableError

    with pytest.raises(ModelNotAvailableError, match="Could not load the model 'facebook/nllb-200-distilled-600M'"):
        HFTranslator("facebook/nllb-200-distilled-600M", local_files_only=True).translate(["x"])


def test_hf_says_when_it_cuts_a_long_sentence(tiny_nllb, caplog):
    translator = _hf(tiny_nllb, max_new_tokens=4)
    long = " ".join(["the house is red"] * 200)  # far past the tiny model's 256 positions
    out = translator.translate([long, "the house"])
    assert len(out) == 2 and translator.truncated_inputs == 1
    assert "1 of 2 sentences are longer than" in caplog.text and "256 input tokens" in caplog.text
    assert translator.truncated_outputs == 2 and "reached max_new_tokens=4" in caplog.text
