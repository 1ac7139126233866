"""EncoderAligner against the per-sentence reference, and its behaviour on awkward input."""
import logging

import pytest

from spacy_transalign import EncoderAligner, WordAlignment
from spacy_transalign.models import ModelNotAvailableError

from reference_aligner import ReferenceAligner


def _aligner(path, **kwargs):
    kwargs.setdefault("src_lang", "eng_Latn")
    kwargs.setdefault("tgt_lang", "fra_Latn")
    return EncoderAligner(str(path), **kwargs)


@pytest.fixture(scope="module")
def references(tiny_nllb):
    return {layer: ReferenceAligner(str(tiny_nllb), layer, "eng_Latn", "fra_Latn") for layer in (1, 2)}


@pytest.mark.parametrize("method,layer", [("softmax", 2), ("softmax", 1), ("argmax", 2), ("itermax", 2)])
def test_same_links_as_per_sentence_reference_on_all_enfr_pairs(tiny_nllb, references, shared_enfr_pairs, method, layer):
    enfr_pairs = shared_enfr_pairs
    assert len(enfr_pairs) == 447
    expected = references[layer].align_all(enfr_pairs, method=method)
    got = _aligner(tiny_nllb, layer=layer, method=method, batch_size=32).align(
        [s for s, _ in enfr_pairs], [t for _, t in enfr_pairs]
    )
    mismatched = [k for k, (a, e) in enumerate(zip(got, expected)) if set(a.pairs) != e]
    assert mismatched == []
    assert sum(len(a) for a in got) == sum(len(e) for e in expected) > 1000


def test_batch_size_does_not_change_links(tiny_nllb, enfr_pairs):
    pairs = enfr_pairs[:120]
    src, tgt = [s for s, _ in pairs], [t for _, t in pairs]
    one = _aligner(tiny_nllb, layer=2, batch_size=1).align(src, tgt)
    many = _aligner(tiny_nllb, layer=2, batch_size=50).align(src, tgt)
    assert [a.pairs for a in one] == [a.pairs for a in many]


def test_links_are_sorted_and_scored(tiny_nllb, enfr_pairs):
    (src, tgt) = enfr_pairs[10]
    alignment = _aligner(tiny_nllb, layer=2).align([src], [tgt])[0]
    assert alignment.pairs == sorted(set(alignment.pairs))
    assert all(0 <= i < len(src) and 0 <= j < len(tgt) for i, j in alignment.pairs)
    assert len(alignment.scores) == len(alignment.pairs)
    assert all(1e-3 < s <= 1.0 for s in alignment.scores)


def test_empty_sentences_give_empty_alignments_in_place(tiny_nllb, references, enfr_pairs):
    src, tgt = enfr_pairs[3]
    aligner = _aligner(tiny_nllb, layer=2)
    result = aligner.align([[], src, src, []], [tgt, tgt, [], []])
    assert [len(a) for a in (result[0], result[2], result[3])] == [0, 0, 0]
    assert set(result[1].pairs) == references[2].align(src, tgt)


def test_word_mapped_to_nothing_keeps_indices(tiny_nllb, references):
    src = ["the", "", "house", "\u200b", "."]
    tgt = ["la", "maison", "."]
    alignment = _aligner(tiny_nllb, layer=2).align([src], [tgt])[0]
    assert not any(i in (1, 3) for i, _ in alignment.pairs)  # empty words are unaligned ...
    assert {i for i, _ in alignment.pairs} <= {0, 2, 4}  # ... and the others keep their index
    assert set(alignment.pairs) == references[2].align(src, tgt)


def test_too_long_sentence_aligns_its_prefix_and_warns(tiny_nllb, caplog):
    src = ["maison"] * 300  # > 256 positions of the tiny model
    tgt = ["house", "."]
    with caplog.at_level(logging.WARNING, logger="spacy_transalign"):
        alignment = _aligner(tiny_nllb, layer=2, method="argmax").align([src], [tgt])[0]
    assert "exceed" in caplog.text
    assert len(alignment) > 0
    assert max(i for i, _ in alignment.pairs) < 254  # 256 positions minus language tag and </s>


def test_max_length_truncation_matches_reference_on_the_kept_words(tiny_nllb, references, enfr_pairs):
    """Cut where a word ends: the links are exactly the reference's for those words alone."""
    from transformers import AutoTokenizer

    src, tgt = max(enfr_pairs, key=lambda p: len(p[0]))
    english = AutoTokenizer.from_pretrained(str(tiny_nllb), src_lang="eng_Latn")
    french = AutoTokenizer.from_pretrained(str(tiny_nllb), src_lang="fra_Latn")
    kept = 8
    subwords = len(english(src[:kept], is_split_into_words=True)["input_ids"])  # with language tag and </s>
    fits = max(m for m in range(1, len(tgt)) if len(french(tgt[:m], is_split_into_words=True)["input_ids"]) <= subwords)
    short = _aligner(tiny_nllb, layer=2, max_length=subwords).align([src], [tgt[:fits]])[0]  # max_length cuts both sides
    assert len(src) > 2 * kept and fits >= 3 and short.pairs
    assert set(short.pairs) == references[2].align(src[:kept], tgt[:fits])


def test_unknown_language_code_is_a_clear_error(tiny_nllb):
    with pytest.raises(ValueError, match="Unknown language code 'xyz_Latn'"):
        _aligner(tiny_nllb, layer=2, src_lang="xyz_Latn").align([["a"]], [["b"]])


def test_bad_layer_is_a_clear_error(tiny_nllb):
    with pytest.raises(ValueError, match="layer=5 but .* has 2 encoder layers"):
        _aligner(tiny_nllb, layer=5).align([["a"]], [["b"]])


def test_missing_hub_model_names_the_model_and_the_fix(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    aligner = EncoderAligner("facebook/nllb-200-distilled-600M", src_lang="eng_Latn", tgt_lang="fra_Latn")
    with pytest.raises(ModelNotAvailableError, match="facebook/nllb-200-distilled-600M.*huggingface-cli download"):
        aligner.align([["a"]], [["b"]])


def test_model_is_loaded_once_and_lazily(tiny_nllb):
    aligner = _aligner(tiny_nllb, layer=2)
    assert aligner._encoder is None
    aligner.align([["a"]], [["la"]])
    encoder = aligner._encoder
    aligner.align([["b"]], [["le"]])
    assert aligner._encoder is encoder


@pytest.mark.parametrize("method", ["softmax", "argmax"])
@pytest.mark.parametrize("precision", ["int8", "bf16"])
def test_low_precision_mostly_agrees_with_fp32(tiny_nllb_trained_scale, enfr_pairs, method, precision):
    pairs = enfr_pairs[:100]
    src, tgt = [s for s, _ in pairs], [t for _, t in pairs]
    fp32 = _aligner(tiny_nllb_trained_scale, layer=2, method=method).align(src, tgt)
    int8 = _aligner(tiny_nllb_trained_scale, layer=2, method=method, precision=precision).align(src, tgt)
    gold = {(k, p) for k, a in enumerate(fp32) for p in a.pairs}
    pred = {(k, p) for k, a in enumerate(int8) for p in a.pairs}
    f1 = 2 * len(gold & pred) / (len(gold) + len(pred))
    assert f1 > 0.99  # close to fp32
    assert precision == "int8" or f1 < 1.0 or _differs(tiny_nllb_trained_scale, src, tgt, precision)


def _differs(model, src, tgt, precision) -> bool:
    """bf16 may give the very same links as fp32: then its scores must still differ (it really ran in bf16)."""
    fp32 = _aligner(model, layer=2).align(src, tgt)
    low = _aligner(model, layer=2, precision=precision).align(src, tgt)
    return any(a.scores != b.scores for a, b in zip(fp32, low))


def test_lora_adapter_is_applied(tiny_nllb, tmp_path, enfr_pairs):
    from spacy_transalign.testing import build_lora_adapter

    build_lora_adapter(tiny_nllb, tmp_path / "lora")
    src, tgt = [s for s, _ in enfr_pairs[:50]], [t for _, t in enfr_pairs[:50]]
    base = _aligner(tiny_nllb, layer=2).align(src, tgt)
    adapted = _aligner(tiny_nllb, layer=2, lora_path=str(tmp_path / "lora")).align(src, tgt)
    assert [a.pairs for a in base] != [a.pairs for a in adapted]
    assert isinstance(adapted[0], WordAlignment)
