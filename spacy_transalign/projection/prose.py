"""Which source sentences are prose: the sentence filter of translate-train's forward data.

Newswire corpora mix sentences with tables, headlines and datelines. In CoNLL-2003's English
training data 38% of the sentences have no lower-case word at all ("1860 Munich 3 1 0 2 3 5 3",
"SOCCER - JAPAN GET LUCKY WIN", "CHICAGO 1996-08-26"): score tables name clubs after cities (ORG
where running text means the place) and all-capitals text has no case to learn from. Machine
translation of them is poor as well. The target-language text a tagger meets is running text, so
the forward data the recommended methods train on keeps only prose. The rule is decided on the
*source* sentence: MT inserts lower-case words into headlines ("de", "la"), so the translation
cannot tell.
"""
from spacy.tokens import Doc


def is_prose(doc: Doc) -> bool:
    """True if the sentence has at least one lower-case alphabetic word."""
    return any(token.is_alpha and token.is_lower for token in doc)
