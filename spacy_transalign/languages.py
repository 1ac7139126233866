"""FLORES-200 (NLLB) language codes <-> spaCy language codes.

spaCy names languages by ISO 639-1 where one exists; NLLB by ISO 639-3 plus script. Languages
spaCy has no tokenizer rules for fall back to the multi-language ``xx`` pipeline.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Dict

# ISO 639-3 -> spaCy code, for every language spaCy 3.8 ships rules for
ISO3_TO_SPACY: Dict[str, str] = {
    "afr": "af", "amh": "am", "arb": "ar", "ary": "ar", "arz": "ar", "acm": "ar", "acq": "ar",
    "aeb": "ar", "ajp": "ar", "apc": "ar", "ars": "ar", "azj": "az", "azb": "az", "bul": "bg",
    "ben": "bn", "bod": "bo", "cat": "ca", "ces": "cs", "dan": "da", "deu": "de", "ell": "el",
    "eng": "en", "spa": "es", "est": "et", "eus": "eu", "pes": "fa", "prs": "fa", "fin": "fi",
    "fao": "fo", "fra": "fr", "gle": "ga", "gla": "gd", "guj": "gu", "heb": "he", "hin": "hi",
    "hrv": "hr", "hat": "ht", "hun": "hu", "hye": "hy", "ind": "id", "isl": "is", "ita": "it",
    "jpn": "ja", "kmr": "kmr", "kan": "kn", "kor": "ko", "kir": "ky", "ltz": "lb", "lug": "lg",
    "lij": "lij", "lit": "lt", "lvs": "lv", "mkd": "mk", "mal": "ml", "mar": "mr", "zsm": "ms",
    "nob": "nb", "npi": "ne", "nld": "nl", "nno": "nn", "pol": "pl", "por": "pt", "ron": "ro",
    "rus": "ru", "san": "sa", "sin": "si", "slk": "sk", "slv": "sl", "als": "sq", "srp": "sr",
    "swe": "sv", "tam": "ta", "tel": "te", "tha": "th", "tir": "ti", "tgl": "tl", "tsn": "tn",
    "tur": "tr", "tat": "tt", "ukr": "uk", "urd": "ur", "vie": "vi", "yor": "yo", "zho": "zh",
    "yue": "zh",
}
# spaCy code -> the FLORES-200 code NLLB uses for its standard variety
SPACY_TO_FLORES: Dict[str, str] = {
    "af": "afr_Latn", "am": "amh_Ethi", "ar": "arb_Arab", "az": "azj_Latn", "bg": "bul_Cyrl",
    "bn": "ben_Beng", "bo": "bod_Tibt", "ca": "cat_Latn", "cs": "ces_Latn", "da": "dan_Latn",
    "de": "deu_Latn", "el": "ell_Grek", "en": "eng_Latn", "es": "spa_Latn", "et": "est_Latn",
    "eu": "eus_Latn", "fa": "pes_Arab", "fi": "fin_Latn", "fo": "fao_Latn", "fr": "fra_Latn",
    "ga": "gle_Latn", "gd": "gla_Latn", "gu": "guj_Gujr", "he": "heb_Hebr", "hi": "hin_Deva",
    "hr": "hrv_Latn", "ht": "hat_Latn", "hu": "hun_Latn", "hy": "hye_Armn", "id": "ind_Latn",
    "is": "isl_Latn", "it": "ita_Latn", "ja": "jpn_Jpan", "kmr": "kmr_Latn", "kn": "kan_Knda",
    "ko": "kor_Hang", "ky": "kir_Cyrl", "lb": "ltz_Latn", "lg": "lug_Latn", "lij": "lij_Latn",
    "lt": "lit_Latn", "lv": "lvs_Latn", "mk": "mkd_Cyrl", "ml": "mal_Mlym", "mr": "mar_Deva",
    "ms": "zsm_Latn", "nb": "nob_Latn", "ne": "npi_Deva", "nl": "nld_Latn", "nn": "nno_Latn",
    "pl": "pol_Latn", "pt": "por_Latn", "ro": "ron_Latn", "ru": "rus_Cyrl", "sa": "san_Deva",
    "si": "sin_Sinh", "sk": "slk_Latn", "sl": "slv_Latn", "sq": "als_Latn", "sr": "srp_Cyrl",
    "sv": "swe_Latn", "ta": "tam_Taml", "te": "tel_Telu", "th": "tha_Thai", "ti": "tir_Ethi",
    "tl": "tgl_Latn", "tn": "tsn_Latn", "tr": "tur_Latn", "tt": "tat_Cyrl", "uk": "ukr_Cyrl",
    "ur": "urd_Arab", "vi": "vie_Latn", "yo": "yor_Latn", "zh": "zho_Hans",
}

_FLORES_RE = re.compile(r"^[a-z]{3}_[A-Z][a-z]{3}$")


class UnknownLanguageError(ValueError):
    """A language code that is neither FLORES-200 nor spaCy."""


@lru_cache(maxsize=1)
def flores_codes() -> frozenset:
    """All FLORES-200 codes NLLB knows (taken from transformers' NLLB tokenizer)."""
    from transformers.models.nllb.tokenization_nllb import FAIRSEQ_LANGUAGE_CODES

    return frozenset(FAIRSEQ_LANGUAGE_CODES)


def is_flores(code: str) -> bool:
    return bool(_FLORES_RE.match(code)) and code in flores_codes()


def flores_to_spacy(code: str) -> str:
    """``spa_Latn`` -> ``es``; a valid FLORES code spaCy has no rules for -> ``xx``."""
    if not is_flores(code):
        raise UnknownLanguageError(
            f"{code!r} is not a FLORES-200 language code (expected e.g. 'eng_Latn', 'spa_Latn', "
            "'bam_Latn', 'zho_Hans'; see the NLLB model card for the full list)"
        )
    return ISO3_TO_SPACY.get(code.split("_")[0], "xx")


def spacy_to_flores(lang: str) -> str:
    """``es`` -> ``spa_Latn``; FLORES codes pass through unchanged."""
    if is_flores(lang):
        return lang
    if lang in SPACY_TO_FLORES:
        return SPACY_TO_FLORES[lang]
    raise UnknownLanguageError(f"No FLORES-200 code known for spaCy language {lang!r}; pass the FLORES code instead")


def to_spacy_lang(code: str) -> str:
    """Accept a spaCy code, a FLORES-200 code or a plain ISO 639-1 pair code such as ``en``."""
    if is_flores(code):
        return flores_to_spacy(code)
    from spacy.util import get_lang_class

    try:
        get_lang_class(code)
    except Exception as err:
        raise UnknownLanguageError(f"{code!r} is neither a spaCy nor a FLORES-200 language code") from err
    return code
