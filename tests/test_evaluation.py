import json

import pytest
from typer.testing import CliRunner

from spacy_transalign.cli import app
from spacy_transalign.evaluation import alignment_error_rate, bio_spans, read_gold_alignments, span_prf

runner = CliRunner()


def test_aer_hand_checked():
    gold = [({(0, 0), (1, 1)}, {(0, 0), (1, 1), (1, 2)})]
    result = alignment_error_rate(gold, [{(0, 0), (1, 2), (2, 2)}])
    assert result["aer"] == pytest.approx(1 - 3 / 5)
    assert result["precision"] == pytest.approx(2 / 3)
    assert result["recall"] == pytest.approx(1 / 2)
    assert result["f1"] == pytest.approx(4 / 7)
    assert alignment_error_rate(gold, [{(0, 0), (1, 1)}])["aer"] == 0.0


def test_gold_reader_separates_sure_and_possible(tmp_path):
    path = tmp_path / "g"
    path.write_text("1-1 2p3\n\n")
    assert read_gold_alignments(path) == [({(0, 0)}, {(0, 0), (1, 2)}), (set(), set())]


def _readme_aer(gold_lines, pred_lines):
    """The data README's formula, written out independently of the package."""
    a = s = a_s = a_p = 0
    for g, p in zip(gold_lines, pred_lines):
        sure = {tuple(int(x) - 1 for x in t.split("-")) for t in g.split() if "-" in t}
        possible = sure | {tuple(int(x) - 1 for x in t.split("p")) for t in g.split() if "p" in t}
        pred = {tuple(int(x) for x in t.split("-")) for t in p.split()}
        a, s, a_s, a_p = a + len(pred), s + len(sure), a_s + len(pred & sure), a_p + len(pred & possible)
    return 1 - (a_s + a_p) / (a + s)


@pytest.mark.parametrize("pair", ["enfr", "roen", "jaen", "zhen"])
def test_cli_aer_matches_the_readme_formula_on_shared_gold(shared_data, tmp_path, pair):
    gold_lines = (shared_data / "alignment_gold" / f"{pair}.gold").read_text().splitlines()
    # a plausible prediction: every gold link (sure and possible) shifted to 0-based, every 3rd dropped,
    # and a diagonal link added
    pred_lines = []
    for k, line in enumerate(gold_lines):
        links = [t.replace("p", "-") for t in line.split()]
        links = [f"{int(t.split('-')[0]) - 1}-{int(t.split('-')[1]) - 1}" for t in links][:: 1 + (k % 3 == 0)]
        pred_lines.append(" ".join(links + [f"{k % 5}-{k % 5}"]))
    pred = tmp_path / "pred.txt"
    pred.write_text("\n".join(pred_lines) + "\n")
    out = runner.invoke(app, ["evaluate-alignment", str(shared_data / "alignment_gold" / f"{pair}.gold"), str(pred)])
    assert out.exit_code == 0, out.output
    result = json.loads(out.output)
    assert round(result["aer"], 4) == round(_readme_aer(gold_lines, pred_lines), 4)
    assert result["sentences"] == len(gold_lines)
    assert {"precision", "recall", "f1"} <= set(result)


def test_cli_align_then_evaluate(tiny_nllb, shared_data, tmp_path):
    out_path = tmp_path / "enfr.align"
    result = runner.invoke(
        app,
        ["align", str(shared_data / "alignment_gold" / "enfr.src-tgt"), str(out_path), "--model", str(tiny_nllb),
         "--layer", "2", "--src-lang", "eng_Latn", "--tgt-lang", "fra_Latn", "--method", "argmax"],
    )
    assert result.exit_code == 0, result.output
    lines = out_path.read_text().splitlines()
    assert len(lines) == 447 and all(lines)
    scored = runner.invoke(app, ["evaluate-alignment", str(shared_data / "alignment_gold" / "enfr.gold"), str(out_path)])
    metrics = json.loads(scored.output)
    assert 0.0 < metrics["aer"] < 1.0 and metrics["sentences"] == 447


def test_cli_align_rejects_malformed_input(tiny_nllb, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("a b ||| c d\njust one side\n")
    result = runner.invoke(app, ["align", str(bad), str(tmp_path / "out"), "--model", str(tiny_nllb), "--layer", "2"])
    assert result.exit_code != 0
    assert "line 2" in str(result.exception)
    assert not (tmp_path / "out").exists()


def test_conlleval_span_reading():
    assert bio_spans(["B-PER", "I-PER", "O", "I-LOC", "I-LOC", "B-LOC", "I-ORG"]) == [
        (0, 2, "PER"), (3, 5, "LOC"), (5, 6, "LOC"), (6, 7, "ORG")]


def test_span_prf_reproduces_transalign_bambara_reference(shared_data):
    from spacy_transalign.corpora import read_bio

    folder = shared_data / "transalign_bam"
    pred = [labels for _, labels in read_bio(folder / "test-translate-bam-projected.txt")]
    gold = [labels for _, labels in read_bio(folder / "test-bam.txt")]
    result = span_prf(pred, gold)
    assert round(result["f1"], 4) == 0.5500
    assert round(result["precision"], 3) == 0.503 and round(result["recall"], 3) == 0.606
    assert set(result["per_label"]) == {"PER", "ORG", "LOC"}  # DATE is in the README but not in the file


def test_span_prf_names_the_offending_sentence():
    with pytest.raises(ValueError, match="Sentence 1"):
        span_prf([["O"], ["O", "O"]], [["O"], ["O"]])
