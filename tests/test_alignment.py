import pytest

from spacy_transalign.alignment import AlignmentFormatError, WordAlignment, read_pharaoh_file


def test_pairs_are_sorted_unique_and_scores_follow_them():
    a = WordAlignment([(2, 1), (0, 0), (2, 1), (1, 3)], scores=[0.2, 0.9, 0.5, 0.4])
    assert a.pairs == [(0, 0), (1, 3), (2, 1)]
    assert a.scores == [0.9, 0.4, 0.5]  # the duplicate keeps its best score


def test_lookups_in_both_directions():
    a = WordAlignment([(0, 0), (0, 2), (1, 2), (3, 1)])
    assert a.targets_of(0) == [0, 2]
    assert a.sources_of(2) == [0, 1]
    assert a.targets_of(2) == []
    assert a.inverted().pairs == [(0, 0), (1, 3), (2, 0), (2, 1)]


def test_pharaoh_round_trip_and_index_base():
    a = WordAlignment.from_pharaoh("1-1 2-3 3p2", index_base=1)
    assert a.pairs == [(0, 0), (1, 2), (2, 1)]
    assert a.to_pharaoh() == "0-0 1-2 2-1"
    assert WordAlignment.from_pharaoh(a.to_pharaoh()) == a
    assert WordAlignment.from_pharaoh("") == WordAlignment()


@pytest.mark.parametrize("line", ["0-a", "1-", "x", "0--1"])
def test_malformed_links_are_rejected(line):
    with pytest.raises(AlignmentFormatError, match="Malformed"):
        WordAlignment.from_pharaoh(line)


def test_reading_transalign_layout_with_ids(tmp_path, shared_data):
    alignments = read_pharaoh_file(shared_data / "transalign_bam" / "bam-en-alignments.txt")
    assert len(alignments) == 1274
    assert alignments[2].pairs[:3] == [(0, 2), (2, 4), (3, 5)]
    bad = tmp_path / "bad.txt"
    bad.write_text("0\t0-1 1-2\n1\t0-x\n")
    with pytest.raises(AlignmentFormatError, match="line 2"):
        read_pharaoh_file(bad)


def test_dict_round_trip_keeps_scores():
    a = WordAlignment([(0, 1), (2, 2)], scores=[0.5, 0.25])
    assert WordAlignment.from_dict(a.to_dict()) == a
