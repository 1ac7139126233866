"""File-level projection on TransAlign's Bambara translate-test sample."""
import json

import pytest
from typer.testing import CliRunner

from spacy_transalign.alignment import AlignmentFormatError
from spacy_transalign.cli import app
from spacy_transalign.corpora import read_bio
from spacy_transalign.evaluation import span_prf
from spacy_transalign.projection.bio import project_bio_files, project_sentences

runner = CliRunner()


@pytest.fixture(scope="module")
def bam(shared_data):
    return shared_data / "transalign_bam"


def _f1(pred_path, gold_path):
    return span_prf([t for _, t in read_bio(pred_path)], [t for _, t in read_bio(gold_path)])


def test_hull_reproduces_transalign_label_for_label(bam, tmp_path):
    out = tmp_path / "hull.txt"
    result = runner.invoke(app, ["project-bio", str(bam / "test-translate-bam-en-preds.txt"), str(bam / "test-bam.txt"),
                                 str(bam / "bam-en-alignments.txt"), str(out), "--strategy", "hull", "--reverse"])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == (bam / "test-translate-bam-projected.txt").read_text(encoding="utf-8")
    scored = runner.invoke(app, ["evaluate-bio", str(out), str(bam / "test-bam.txt")])
    assert round(json.loads(scored.output)["f1"], 4) == 0.5500
    summary = json.loads(result.output)
    assert summary["entities_in"] == 1394 and summary["outcomes"]["dropped_no_alignment"] == 36


def test_default_strategy_beats_the_reference(bam, tmp_path):
    out = tmp_path / "support.txt"
    summary = project_bio_files(bam / "test-translate-bam-en-preds.txt", bam / "test-bam.txt",
                                bam / "bam-en-alignments.txt", out, reverse=True)
    metrics = _f1(out, bam / "test-bam.txt")
    assert round(metrics["f1"], 4) == 0.6278
    assert summary["entities_in"] == sum(summary["outcomes"].values()) == 1398
    assert summary["entities_projected"] == 1196 and summary["relabelled_by_vote"] == 60
    no_vote = tmp_path / "support-no-vote.txt"
    project_bio_files(bam / "test-translate-bam-en-preds.txt", bam / "test-bam.txt", bam / "bam-en-alignments.txt",
                      no_vote, reverse=True, vote=False)
    assert round(_f1(no_vote, bam / "test-bam.txt")["f1"], 4) == 0.6019


def test_default_strategy_keeps_its_gain_on_eflomal_alignments(bam):
    from spacy_transalign.aligners.eflomal import EflomalAligner

    english = read_bio(bam / "test-translate-bam-en-preds.txt")
    bambara = read_bio(bam / "test-bam.txt")
    alignments = EflomalAligner().align([w for w, _ in english], [w for w, _ in bambara])
    gold = [t for _, t in bambara]
    scores = {}
    for strategy in ("hull", "support"):
        projections, _ = project_sentences(english, [w for w, _ in bambara], alignments, strategy)
        scores[strategy] = span_prf([p.tags for p in projections], gold)["f1"]
    assert scores["hull"] > 0.45  # eflomal alignments are usable ...
    assert scores["support"] > scores["hull"] + 0.05  # ... and the default gains > 5 points on them too


def test_out_of_range_links_name_the_sentence(bam, tmp_path):
    bad = tmp_path / "bad.align"
    lines = (bam / "bam-en-alignments.txt").read_text().splitlines()[:3]
    lines[2] = "2\t0-0 999-1"
    bad.write_text("\n".join(lines) + "\n")
    labeled, target = tmp_path / "l.txt", tmp_path / "t.txt"
    for src, dst in ((bam / "test-translate-bam-en-preds.txt", labeled), (bam / "test-bam.txt", target)):
        dst.write_text("\n\n".join(src.read_text(encoding="utf-8").split("\n\n")[:3]) + "\n", encoding="utf-8")
    with pytest.raises(AlignmentFormatError, match=r"bad\.align, line 3: link (999-1|1-999) is out of range"):
        project_bio_files(labeled, target, bad, tmp_path / "out.txt", reverse=True)
    assert not (tmp_path / "out.txt").exists()


def test_size_mismatch_is_an_error(bam, tmp_path):
    short = tmp_path / "short.align"
    short.write_text("0\t0-0\n")
    with pytest.raises(ValueError, match=r"1274 sentences in .*preds\.txt, 1274 in .*test-bam\.txt and 1 alignment lines in .*short\.align"):
        project_bio_files(bam / "test-translate-bam-en-preds.txt", bam / "test-bam.txt", short, tmp_path / "o.txt")
