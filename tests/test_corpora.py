"""BIO readers and writers: the whole-file fast path must read exactly what the line-by-line
reader reads, for every layout, and fall back to it where the layout is not uniform."""
import pytest

from spacy_transalign.corpora import CorpusFormatError, _read_line_by_line, read_bio, write_bio

LAYOUTS = {
    "canonical": "EU B-ORG\nrejects O\n\nPeter B-PER\n",
    "padded and tabs": "  EU\tB-ORG \nrejects   O\n \t\nPeter B-PER",
    "several blank lines": "\n\nEU B-ORG\n\n\n\nPeter B-PER\n\n",
    "conll-2003 columns": "-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n\nPeter NNP B-NP B-PER\n",
    "ragged columns": "EU B-ORG\nrejects VBZ O\n\nPeter B-PER\n",  # first and last cell, as before
    "unicode whitespace": "EU\u00a0x B-ORG\nrejects O\n\nPeter B-PER\n",
}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("with_labels", [True, False])
def test_fast_path_reads_what_the_line_reader_reads(tmp_path, layout, with_labels):
    path = tmp_path / "corpus.txt"
    path.write_text(LAYOUTS[layout], encoding="utf-8")
    expected = [(tokens, labels) for tokens, labels in _read_line_by_line(LAYOUTS[layout], with_labels, path) if tokens != ["-DOCSTART-"]]
    assert read_bio(path, with_labels=with_labels) == expected
    words = [tokens for tokens, _ in expected]
    assert words[-1] == ["Peter"] and len(words) == 2


def test_a_token_without_label_names_its_line(tmp_path):
    path = tmp_path / "corpus.txt"
    path.write_text("EU B-ORG\nrejects\n", encoding="utf-8")
    with pytest.raises(CorpusFormatError, match="line 2"):
        read_bio(path)
    assert read_bio(path, with_labels=False) == [(["EU", "rejects"], ["O", "O"])]


def test_whole_shared_corpora_read_alike(shared_data):
    for path in (shared_data / "conll2002_es" / "esp.testa", shared_data / "transalign_bam" / "test-bam.txt"):
        text = path.read_text(encoding="utf-8")
        slow = [s for s in _read_line_by_line(text, True, path) if s[0] != ["-DOCSTART-"]]
        assert read_bio(path) == slow


def test_write_round_trip_and_length_check(tmp_path):
    path = tmp_path / "out.txt"
    sentences = [(["EU", "rejects"], ["B-ORG", "O"]), ([], []), (["Peter"], ["B-PER"])]
    write_bio(path, sentences)
    assert path.read_text(encoding="utf-8") == "EU B-ORG\nrejects O\n\nPeter B-PER\n\n"
    assert read_bio(path) == [sentences[0], sentences[2]]
    with pytest.raises(ValueError, match="Sentence 1 .*2 tokens but 1 labels"):
        write_bio(path, [(["a"], ["O"]), (["b", "c"], ["O"])])
    assert read_bio(path) == [sentences[0], sentences[2]]  # the old file is left as it was
