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
    assert a.links_from(0, 2) == [(0, 0), (0, 2), (1, 2)] and a.links_from(2, 3) == [] and a.links_from(3, 9) == [(3, 1)]
    assert a.inverted().pairs == [(0, 0), (1, 3), (2, 0), (2, 1)]


def test_pharaoh_round_trip_and_index_base():
    a = WordAlignment.from_pharaoh("1-1 2-3 3p2", index_base=1)
    assert a.pairs == [(0, 0), (1, 2), (2, 1)]
    assert a.to_pharaoh() == "0-0 1-2 2-1"
    assert WordAlignment.from_pharaoh(a.to_pharaoh()) == a
    assert WordAlignment.from_pharaoh("") == WordAlignment()


@pytest.mark.parametrize("line", ["0-a", "1-", "x", "0--1", "1-2-3 4"])
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
    bad.write_text("0\t0-1 1-2\n1\t1-2-3 4\n")  # numbers pair up, links do not
    with pytest.raises(AlignmentFormatError, match="line 2"):
        read_pharaoh_file(bad)


def test_dict_round_trip_keeps_scores():
    a = WordAlignment([(0, 1), (2, 2)], scores=[0.5, 0.25])
    assert WordAlignment.from_dict(a.to_dict()) == a


@pytest.mark.parametrize("inverse", [False, True])
@pytest.mark.parametrize("index_base", [0, 1])
def test_whole_file_parsing_matches_line_by_line(tmp_path, shared_data, inverse, index_base):
    lines = (shared_data / "transalign_bam" / "bam-en-alignments.txt").read_text().splitlines()
    if index_base:  # shift to 1-based links
        lines = [f"{n}\t" + " ".join(f"{int(i) + 1}-{int(j) + 1}" for i, j in (l.split("-") for l in links.split()))
                 for n, links in (line.split("\t") for line in lines)]
    variants = {
        "ids": lines,
        "named ids, tabs between links": [f"s{k}\t" + line.split("\t")[1].replace(" ", "\t") for k, line in enumerate(lines)],
        "no ids, duplicates": [line.split("\t")[1] + " " + line.split("\t")[1] for line in lines],
    }
    for name, variant in variants.items():
        path = tmp_path / f"{name}.txt"
        path.write_text("\n".join(variant) + "\n")
        expected = [WordAlignment.from_pharaoh(line.split("\t", 1)[-1], index_base, inverse) for line in variant]
        assert read_pharaoh_file(path, index_base, inverse) == expected, name


def test_empty_lines_and_files(tmp_path):
    path = tmp_path / "a.txt"
    for text, expected in [("", []), ("\n", [[]]), ("0-0\n\n1-1", [[(0, 0)], [], [(1, 1)]]), ("3\t\n", [[]])]:
        path.write_text(text)
        assert [a.pairs for a in read_pharaoh_file(path)] == expected, text
