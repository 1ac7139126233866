"""Bad input gets one clear line (CLI) or a clear exception (Python) naming the file and line.

The files here are written by the tests themselves, so the suite needs no shared data.
"""
import sys

import pytest

from spacy_transalign.cli import run
from spacy_transalign.corpora import CorpusFormatError, read_bio
from spacy_transalign.files import InputFileError, OutputPathError, atomic_write, check_writable


def cli(monkeypatch, capsys, *args):
    """Run the command line in-process: (exit code, stdout, stderr)."""
    monkeypatch.setattr(sys, "argv", ["spacy-transalign", *map(str, args)])
    with pytest.raises(SystemExit) as exit_info:
        run()
        raise SystemExit(0)
    out = capsys.readouterr()
    return exit_info.value.code, out.out, out.err


def write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


@pytest.fixture
def bio(tmp_path):
    return write(tmp_path / "gold.txt", "Angela B-PER\nMerkel I-PER\nvisited O\nParis B-LOC\n\nHello O\n\n")


# --- non-UTF-8 input -----------------------------------------------------------------------
def test_non_utf8_names_file_and_line_and_offers_encoding(tmp_path, monkeypatch, capsys, bio):
    latin = write(tmp_path / "latin.txt", "Hello O\n\nCaf\xe9 O\n", encoding="latin-1")
    code, out, err = cli(monkeypatch, capsys, "evaluate-bio", latin, bio)
    assert code == 1 and out == ""
    assert err.splitlines() == [
        f"Error: {latin}, line 3: not valid utf-8 (byte 0xe9); pass --encoding (e.g. --encoding latin-1) or "
        "convert the file: iconv -f latin1 -t utf-8", "(run with --verbose for the traceback)"]
    assert [w for w, _ in read_bio(latin, encoding="latin-1")] == [["Hello"], ["Café"]]


@pytest.mark.parametrize("command", ["evaluate-alignment", "project-bio", "align"])
def test_every_cli_reader_names_the_undecodable_file(tmp_path, monkeypatch, capsys, command):
    bad = write(tmp_path / "bad.txt", b"caf\xe9 ||| x\n")
    args = {"evaluate-alignment": [bad, bad], "project-bio": [bad, bad, bad, tmp_path / "out.txt"],
            "align": [bad, tmp_path / "out.txt", "--model", tmp_path]}[command]
    code, _, err = cli(monkeypatch, capsys, command, *args)
    assert code == 1 and f"Error: {bad}, line 1: not valid utf-8" in err and "Traceback" not in err


def test_verbose_shows_the_traceback(tmp_path, monkeypatch, bio):
    latin = write(tmp_path / "latin.txt", b"Caf\xe9 O\n")
    monkeypatch.setattr(sys, "argv", ["spacy-transalign", "--verbose", "evaluate-bio", str(latin), str(bio)])
    with pytest.raises(InputFileError, match="line 1: not valid utf-8"):
        run()


# --- outputs that cannot be written ---------------------------------------------------------
def test_output_under_a_regular_file_fails_before_any_work(tmp_path, monkeypatch, capsys, bio):
    blocker = write(tmp_path / "file", "x")
    code, _, err = cli(monkeypatch, capsys, "project-bio", bio, bio, write(tmp_path / "a.txt", "0-0\n1-1\n"),
                       blocker / "out" / "projected.txt")
    assert code == 1 and err.startswith(f"Error: {blocker}/out/projected.txt: cannot write here (a parent is a file")


@pytest.mark.parametrize("target", ["/proc/transalign-test.txt", "/sys/transalign-test.txt"])
def test_pseudo_filesystems_are_refused_by_name(target):
    with pytest.raises(OutputPathError, match=f"{target}: cannot write here"):
        check_writable(target)


def test_output_that_is_a_folder(tmp_path):
    with pytest.raises(OutputPathError, match="is a folder"):
        check_writable(tmp_path)


def test_failed_write_leaves_no_temp_file_and_keeps_the_old_output(tmp_path):
    out = write(tmp_path / "out.txt", "old")
    with pytest.raises(RuntimeError):
        with atomic_write(out) as f:
            f.write("new, half")
            raise RuntimeError("killed")
    assert out.read_text() == "old" and sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


# --- tags that are not BIO --------------------------------------------------------------------
def test_bioes_and_io_are_read_as_bio(tmp_path):
    bioes = write(tmp_path / "bioes.txt", "Angela B-PER\nMerkel E-PER\nin O\nParis S-LOC\n\n")
    io = write(tmp_path / "io.txt", "Angela PER\nMerkel PER\nin O\nParis LOC\nRome LOC\n\n")
    expected = ["B-PER", "I-PER", "O", "B-LOC"]
    assert read_bio(bioes, scheme="auto")[0][1] == read_bio(bioes, scheme="bioes")[0][1] == expected
    assert read_bio(io, scheme="auto")[0][1] == ["B-PER", "I-PER", "O", "B-LOC", "I-LOC"]


@pytest.mark.parametrize("text, line, why", [
    ("Angela B-PER\nMerkel E-PER\n\n", 2, "tag 'E-PER' is not BIO (O, B-X, I-X); for BIOES tags (S-/E-): pass --scheme bioes"),
    ("Hello O\n\nAngela b-per\n\n", 3, "tag 'b-per' is not BIO (O, B-X, I-X); prefixes are upper-case (B-, I-)"),
    ("Angela B-PER\nMerkel PER\n\n", 2, "tag 'PER' is not BIO (O, B-X, I-X); for tags without B-/I- prefix: pass --scheme io"),
])
def test_a_tag_outside_the_scheme_names_its_line(tmp_path, text, line, why):
    path = write(tmp_path / "tags.txt", text)
    with pytest.raises(CorpusFormatError) as err:
        read_bio(path)
    assert str(err.value) == f"{path}, line {line}: {why}"


def test_evaluate_bio_scores_bioes_gold_instead_of_dropping_it(tmp_path, monkeypatch, capsys, bio):
    import json

    bioes = write(tmp_path / "bioes.txt", "Angela B-PER\nMerkel E-PER\nvisited O\nParis S-LOC\n\nHello O\n\n")
    code, out, _ = cli(monkeypatch, capsys, "evaluate-bio", bio, bioes)
    assert code == 0 and json.loads(out)["f1"] == 1.0


# --- evaluate-bio compares tokens -----------------------------------------------------------
def test_evaluate_bio_refuses_other_tokens(tmp_path, monkeypatch, capsys, bio):
    import json

    xx = write(tmp_path / "xx.txt", "XX B-PER\nXX I-PER\nXX O\nXX B-LOC\n\nXX O\n\n")
    code, _, err = cli(monkeypatch, capsys, "evaluate-bio", xx, bio)
    assert code == 1 and err.startswith(f"Error: sentence 1: token 1 is 'XX' in {xx} but 'Angela' in {bio}")
    code, out, err = cli(monkeypatch, capsys, "evaluate-bio", xx, bio, "--allow-token-mismatch")
    assert code == 0 and json.loads(out)["sentences_with_other_tokens"] == 2
    assert "Warning: 2 sentences" in err


# --- alignments that do not fit -------------------------------------------------------------
def test_project_bio_names_the_alignment_line_that_does_not_fit(tmp_path, monkeypatch, capsys, bio):
    target = write(tmp_path / "target.txt", "Angela\nMerkel\nbesuchte\nParis\n\nHallo\n\n")
    links = write(tmp_path / "links.txt", "0-0 1-1 2-2 3-3\n0-1\n")
    code, _, err = cli(monkeypatch, capsys, "project-bio", bio, target, links, tmp_path / "out.txt")
    assert code == 1
    assert err.splitlines()[0] == (f"Error: {links}, line 2: link 0-1 is out of range for 1 labelled and 1 target words "
                                   "(wrong file, or --reverse needed?)")
    assert not (tmp_path / "out.txt").exists()


def test_project_bio_summary_says_what_it_could_not_check(tmp_path):
    from spacy_transalign.projection.bio import project_bio_files

    bio = write(tmp_path / "gold.txt", "Paris B-LOC\n\n")
    links = write(tmp_path / "links.txt", "0-0\n")
    summary = project_bio_files(bio, bio, links, tmp_path / "out.txt")
    assert summary["checks"]["links_within_sentence_lengths"] and not summary["checks"]["token_counts_verified"]


def test_evaluate_alignment_with_the_wrong_index_base_fails(tmp_path, monkeypatch, capsys):
    gold = write(tmp_path / "gold", "".join(f"{k}-{k} {k + 1}p{k + 1}\n" for k in range(1, 31)))
    one_based = write(tmp_path / "pred", "".join(f"{k}-{k} {k + 1}-{k + 1}\n" for k in range(1, 31)))
    code, _, err = cli(monkeypatch, capsys, "evaluate-alignment", gold, one_based)
    assert code == 1 and "looks 1-based; pass --pred-index-base 1" in err
    code, out, _ = cli(monkeypatch, capsys, "evaluate-alignment", gold, one_based, "--pred-index-base", "1")
    assert code == 0 and '"aer": 0.0' in out
    zero_based = write(tmp_path / "pred0", "".join(f"{k - 1}-{k - 1}\n" for k in range(1, 31)))
    code, _, err = cli(monkeypatch, capsys, "evaluate-alignment", gold, zero_based, "--pred-index-base", "1")
    assert code == 1 and f"{zero_based}, line 1: Negative index after applying index base 1" in err


def test_evaluate_alignment_checks_links_against_the_sentences(tmp_path, monkeypatch, capsys):
    pairs = write(tmp_path / "pairs", "a b ||| x y\n")
    gold = write(tmp_path / "gold", "1-1 2-2\n")
    pred = write(tmp_path / "pred", "1-1 2-2\n")  # 1-based, read as 0-based: 2-2 is past the sentence
    code, _, err = cli(monkeypatch, capsys, "evaluate-alignment", gold, pred, "--sentences", pairs)
    assert code == 1 and f"{pred}, line 1: link 2-2 is past the sentence (2 and 2 words)" in err


def test_empty_gold_and_prediction_is_an_error_not_aer_zero(tmp_path, monkeypatch, capsys):
    empty = write(tmp_path / "empty", "\n\n")
    code, _, err = cli(monkeypatch, capsys, "evaluate-alignment", empty, empty)
    assert code == 1 and "no gold links at all" in err
