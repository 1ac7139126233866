"""Projection strategies on hand-built sentences whose right answer is known."""
from spacy_transalign import WordAlignment
from spacy_transalign.projection.strategies import (
    AMBIGUOUS, LOWERCASE, NO_LINKS, OVERLAP, OVERWRITTEN, PROJECTED, STRING_MATCH, HullProjection, SupportProjection,
    get_strategy,
)
from spacy_transalign.projection.voting import vote_labels

hull = HullProjection()
support = SupportProjection()


def test_hull_fills_gaps_and_later_entities_overwrite():
    src = ["Angela", "Merkel", "met", "Macron"]
    tags = ["B-PER", "I-PER", "O", "B-PER"]
    tgt = ["Macron", "a", "vu", "Angela", "Merkel"]
    links = WordAlignment([(0, 3), (1, 4), (1, 1), (3, 0), (3, 3)])
    result = hull(src, tags, tgt, links)
    # entity 1 -> targets {1, 3, 4}: B at 1, I up to 4; entity 2 -> {0, 3}: B at 0, I at 1..3 (overwrites)
    assert result.tags == ["B-PER", "I-PER", "I-PER", "I-PER", "I-PER"]
    assert [o["reason"] for o in result.outcomes] == [OVERWRITTEN, PROJECTED]


def test_hull_reads_entities_like_transalign():
    # an I- of another type continues the entity; the inside label comes from its last token
    tags = ["B-ORG", "I-LOC", "O", "I-PER"]
    links = WordAlignment([(0, 0), (1, 1), (3, 3)])
    assert hull(["a", "b", "c", "d"], tags, ["w", "x", "y", "z"], links).tags == ["B-ORG", "I-LOC", "O", "I-PER"]


def test_support_ignores_punctuation_and_keeps_the_best_run():
    src = ["the", "United", "Nations", "said", "."]
    tags = ["O", "B-ORG", "I-ORG", "O", "O"]
    tgt = ["Les", "Nations", "Unies", "ont", "dit", "hier", "que", "les", "Nations", "."]
    # best run: 1..2 (two links), a stray link to 8 and one to the full stop
    links = WordAlignment([(1, 2), (2, 1), (2, 8), (1, 9), (3, 4), (4, 9)])
    result = SupportProjection(string_match=False)(src, tags, tgt, links)
    assert result.tags == ["O", "B-ORG", "I-ORG", "O", "O", "O", "O", "O", "O", "O"]
    assert result.outcomes == [{"source": [1, 3], "label": "ORG", "target": [1, 3], "reason": PROJECTED}]


def test_support_prefers_a_verbatim_name_near_its_links():
    src = ["Sogeli", "Kokala", "spoke"]
    tags = ["B-PER", "I-PER", "O"]
    tgt = ["Sogɛli", "Kokala", "ye", "kuma", "Kokala", "ye"]
    links = WordAlignment([(1, 4), (2, 3)])  # wrong link; fuzzy verbatim match (ɛ ~ e) wins
    result = support(src, tags, tgt, links)
    assert result.tags[:2] == ["B-PER", "I-PER"] and result.tags[2:] == ["O"] * 4
    assert result.outcomes[0]["reason"] == STRING_MATCH


def test_a_capitalised_name_only_matches_capitalised_words():
    src = ["Mali", "won"]
    tags = ["B-LOC", "O"]
    tgt = ["mali", "ye", "Mali", "sɔrɔ"]  # a lowercase homograph first, the name later
    result = support(src, tags, tgt, WordAlignment([(1, 3)]))
    assert result.tags == ["O", "O", "B-LOC", "O"] and result.outcomes[0]["reason"] == STRING_MATCH
    assert result.spans == [(2, 3, "LOC")]
    # a lowercase entity word may match anywhere (then the case rules judge the span)
    lower = SupportProjection(case_rules=False)(["iPhone"], ["B-MISC"], ["a", "iphone"], WordAlignment())
    assert lower.tags == ["O", "B-MISC"]


def test_support_resolves_overlaps_by_support_not_order():
    src = ["Paris", "Saint", "Germain", "won"]
    tags = ["B-LOC", "B-ORG", "I-ORG", "O"]
    tgt = ["PSG", "a", "gagné"]
    links = WordAlignment([(0, 0), (1, 0), (2, 0), (3, 2)])
    result = SupportProjection(string_match=False, min_purity=0.0)(src, tags, tgt, links)
    assert result.tags == ["B-ORG", "O", "O"]  # two links beat one; hull would keep the later one by luck
    assert [o["reason"] for o in result.outcomes] == [OVERLAP, PROJECTED]


def test_support_drops_lowercase_targets_and_trims_edges():
    src = ["Mali", "Basketball", "Federation"]
    tags = ["B-ORG", "I-ORG", "I-ORG"]
    tgt = ["Mali", "basikɛti", "faraɲɔgɔnkankulu", "ye"]
    result = SupportProjection(string_match=False)(src, tags, tgt, WordAlignment([(0, 0), (1, 1), (2, 2)]))
    assert result.tags == ["B-ORG", "O", "O", "O"]
    lower = SupportProjection(string_match=False)(["Mali"], ["B-LOC"], ["a", "jamana"], WordAlignment([(0, 1)]))
    assert lower.tags == ["O", "O"] and lower.outcomes[0]["reason"] == LOWERCASE


def test_support_grows_a_short_name_over_a_capitalised_neighbour():
    src = ["Hamani", "Niangi", "came"]
    tags = ["B-PER", "I-PER", "O"]
    tgt = ["O", "ko", "Hamani", "Ɲangi", "nana"]
    result = SupportProjection(string_match=False)(src, tags, tgt, WordAlignment([(0, 2), (2, 4)]))
    assert result.tags == ["O", "O", "B-PER", "I-PER", "O"]


def test_support_reports_unaligned_and_ambiguous_entities():
    src = ["Rome", "and", "Milan"]
    tags = ["B-LOC", "O", "B-LOC"]
    tgt = ["Roma", "e", "Milano"]
    # Milan's only target is shared with a non-entity word: ambiguous under min_purity=1
    result = SupportProjection(string_match=False)(src, tags, tgt, WordAlignment([(1, 2), (2, 2)]))
    assert [o["reason"] for o in result.outcomes] == [NO_LINKS, AMBIGUOUS]
    assert result.tags == ["O", "O", "O"]


def test_caseless_scripts_are_left_alone():
    result = support(["Tokyo"], ["B-LOC"], ["東京", "に"], WordAlignment([(0, 0)]))
    assert result.tags == ["B-LOC", "O"]


def test_vote_makes_labels_consistent_per_surface_form():
    sentences = [(["Mali", "x"], ["B-LOC", "O"]), (["in", "Mali"], ["O", "B-ORG"]), (["Mali"], ["B-LOC"]), (["y"], ["O"])]
    tags, changed = vote_labels(sentences)
    assert tags == [["B-LOC", "O"], ["O", "B-LOC"], ["B-LOC"], ["O"]] and changed == 1


def test_strategies_are_found_by_short_and_registered_names():
    assert isinstance(get_strategy("hull"), HullProjection)
    assert isinstance(get_strategy("spacy-transalign.SupportProjection.v1"), SupportProjection)


def test_string_matching_on_a_very_long_sentence_stays_near_the_links():
    """A 20,000-word "sentence" (a whole document given as one): every name occurs hundreds of
    times, and each entity is matched at its own occurrence, found near its links (timing: see
    benchmarks, `--sections long`)."""
    import random

    from spacy_transalign.alignment import WordAlignment
    from spacy_transalign.evaluation import bio_spans
    from spacy_transalign.projection.strategies import SupportProjection

    rng = random.Random(0)
    words = [rng.choice(["the", "house", "Paris", "Merkel", "visited", "and", "of", "Berlin", "said", ","]) for _ in range(20000)]
    tags = ["B-LOC" if w in ("Paris", "Berlin") else "B-PER" if w == "Merkel" else "O" for w in words]
    shift = 3  # the target has three extra words in front
    target = ["Im", "Jahr", "1996"] + words
    projection = SupportProjection()(words, tags, target, WordAlignment([(i, i + shift) for i in range(len(words))]))
    expected = [(start + shift, end + shift, label) for start, end, label in bio_spans(tags)]
    assert projection.entity_spans() == expected and len(expected) == 5943
