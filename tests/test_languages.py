import pytest

from spacy_transalign.languages import UnknownLanguageError, flores_to_spacy, spacy_to_flores, to_spacy_lang


@pytest.mark.parametrize("flores,spacy_code", [("spa_Latn", "es"), ("eng_Latn", "en"), ("zho_Hans", "zh"), ("bam_Latn", "xx"), ("ron_Latn", "ro")])
def test_flores_to_spacy(flores, spacy_code):
    assert flores_to_spacy(flores) == spacy_code


def test_round_trip_for_every_spacy_language_with_a_flores_code():
    from spacy_transalign.languages import SPACY_TO_FLORES

    for code, flores in SPACY_TO_FLORES.items():
        assert flores_to_spacy(flores) == code, flores


@pytest.mark.parametrize("bad", ["spa_latn", "xyz_Latn", "es", "spanish", ""])
def test_invalid_flores_codes_are_rejected(bad):
    with pytest.raises(UnknownLanguageError, match="FLORES-200"):
        flores_to_spacy(bad)


def test_to_spacy_lang_accepts_both_kinds():
    assert to_spacy_lang("es") == "es" and to_spacy_lang("fra_Latn") == "fr"
    assert spacy_to_flores("de") == "deu_Latn" and spacy_to_flores("bam_Latn") == "bam_Latn"
    with pytest.raises(UnknownLanguageError):
        to_spacy_lang("klingon")
