"""Names typed by an Apertium dictionary: a view of target-language text that needs no training.

Apertium's morphological dictionaries mark proper nouns with a type: ``np.ant`` (given name),
``np.cog`` (surname), ``np.top``/``np.loc`` (place), ``np.org``/``np.al`` (organisation, other).
Read through the same HMM tagger that Apertium translates with, they tag a sentence without any
training data. Alone that is a poor tagger, since the dictionary knows no context (a city that
names a club is still a place) and no unknown name; on esp.train it scores P 55.5, R 29.9 against
gold. But its errors are unlike those of the projected views (translation, English tagger,
forward models), which is what a vote in the agreement silver needs.

Each sentence is analysed as if alone (:meth:`.apertium_engine.ModePipeline.tag_segments`).
Given names and surnames in a row are one person; any other name is one dictionary entry (a
multiword entry such as "Estados Unidos" is one).
"""

import re
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from spacy.tokens import Doc

from .apertium import ApertiumNotAvailableError, _iso3, installed_modes
from .apertium_engine import ModePipeline, deformat, unescape

Span = Tuple[int, int, str]

NAME_TYPES: Dict[str, str] = {"ant": "PER", "cog": "PER", "top": "LOC", "loc": "LOC", "org": "ORG", "al": "ORG"}

_UNIT = re.compile(r"\^((?:\\.|[^/$\\])*)/((?:\\.|[^$\\])*)\$")
_PROPER_NOUN = re.compile(r"[^<]*<np><(\w+)>")
_WORD = re.compile(r"\w")


def analysis_mode(lang: str) -> str:
    """An installed mode that analyses ``lang`` (a spaCy code such as ``es``, or a mode name)."""
    modes = installed_modes()
    if lang in modes:
        return lang
    prefixes = {f"{lang}-", f"{_iso3(lang)}-"}
    found = sorted(m for m in modes if any(m.startswith(p) for p in prefixes))
    if not found:
        raise ApertiumNotAvailableError(
            f"No installed Apertium mode analyses {lang!r} (installed: {', '.join(sorted(modes)) or 'none'}). "
            f"Install an Apertium pair that translates from it (apertium-eng-spa, for one, has spa-eng for Spanish: "
            f"sudo apt-get install apertium-eng-spa), or leave this view out (the workflow's apertium_names: \"\")")
    return found[0]


def name_spans(words: Sequence[str], tagged: str, types: Mapping[str, str] = NAME_TYPES) -> List[Span]:
    """Typed names in one sentence, as (start, end, label) word spans, from the tagger's output
    for ``" ".join(words)``. Units are found left to right by their surface forms; quotes and
    other blanks between them are skipped, as are units the deformatter added."""
    text = " ".join(words)
    starts, pos = [], 0
    for word in words:
        starts.append(pos)
        pos += len(word) + 1
    labels: List[Optional[Tuple[str, int]]] = [None] * len(words)  # (label, unit) per word
    pos = first = 0
    for unit, (surface, analysis) in enumerate(_UNIT.findall(tagged)):
        surface = unescape(surface)
        at = text.find(surface, pos)
        if at < 0 or _WORD.search(text[pos:at]):
            continue
        pos = at + len(surface)
        match = _PROPER_NOUN.match(analysis.split("/")[0])
        label = types.get(match.group(1)) if match else None
        while first < len(words) and starts[first] + len(words[first]) <= at:
            first += 1
        k = first
        while k < len(words) and starts[k] < pos:  # the words this unit overlaps
            labels[k] = (label, unit) if label else None
            k += 1
    spans: List[Span] = []
    k = 0
    while k < len(words):
        if labels[k]:
            label, unit = labels[k]
            start = k
            while k + 1 < len(words) and labels[k + 1] and labels[k + 1][0] == label and (label == "PER" or labels[k + 1][1] == unit):
                k += 1
            spans.append((start, k + 1, label))
        k += 1
    return spans


class ApertiumNames:
    """Tag Docs of one language with the names its Apertium dictionary types."""

    def __init__(self, lang: str, types: Mapping[str, str] = NAME_TYPES, timeout: float = 600.0):
        self.mode = analysis_mode(lang)
        self.types = dict(types)
        self.timeout = timeout
        self._pipeline: Optional[ModePipeline] = None

    def __call__(self, docs: Sequence[Doc]) -> List[List[Span]]:
        """One list of (start, end, label) token spans per Doc; whitespace tokens are never part of one."""
        if self._pipeline is None:
            self._pipeline = ModePipeline(self.mode, timeout=self.timeout)
        kept = [[t.i for t in doc if not t.is_space] for doc in docs]
        todo = [k for k, idx in enumerate(kept) if idx]
        words = [[docs[k][i].text for i in kept[k]] for k in todo]
        out: List[List[Span]] = [[] for _ in docs]
        if not todo:
            return out
        tagged = self._pipeline.tag_segments(deformat("txt", [" ".join(w) for w in words], self.timeout))
        for k, sentence, analysis in zip(todo, words, tagged):
            idx = kept[k]
            out[k] = [(idx[s], idx[e - 1] + 1, label) for s, e, label in name_spans(sentence, analysis, self.types)]
        return out
