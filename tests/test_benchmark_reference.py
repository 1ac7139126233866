"""The benchmark's TransAlign baseline and EncoderAligner must agree link for link."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from reference_transalign import ReferenceTransAlign  # noqa: E402

from spacy_transalign import EncoderAligner  # noqa: E402


def test_benchmark_baseline_agrees_with_encoder_aligner(tiny_nllb, enfr_pairs):
    pairs = enfr_pairs[:150]  # two baseline batches of 100, the second one partial
    src, tgt = [s for s, _ in pairs], [t for _, t in pairs]
    baseline = ReferenceTransAlign(str(tiny_nllb), 2, "eng_Latn", "fra_Latn").align(src, tgt)
    ours = EncoderAligner(str(tiny_nllb), layer=2, src_lang="eng_Latn", tgt_lang="fra_Latn").align(src, tgt)
    assert [set(a.pairs) for a in ours] == baseline
    assert sum(map(len, baseline)) > 500
