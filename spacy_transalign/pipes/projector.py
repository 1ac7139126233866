"""``transalign_projector``: carry entities across ``doc._.alignment``.

``to_translation`` (translate-train): ``doc.ents`` become ``doc._.translation.ents``.
``from_translation`` (translate-test): ``doc._.translation.ents`` become ``doc.ents``.
Every source entity's fate is recorded in ``doc._.projection`` and counted in ``summary``.
"""

import logging
from collections import Counter
from typing import Callable, Dict, Iterable, List, Literal, Optional, Sequence, Tuple

from spacy.language import Language
from spacy.tokens import Doc, Span

from ..alignment import WordAlignment
from ..extensions import register_extensions
from .base import BatchPipe
from ..projection.strategies import Projection, ProjectionStrategy, tags_from_spans
from ..projection.voting import vote_span_labels

logger = logging.getLogger("spacy_transalign")

Direction = Literal["to_translation", "from_translation"]
Unprojected = Literal["O", "missing"]


@Language.factory(
    "transalign_projector",
    requires=["doc._.translation", "doc._.alignment"],
    assigns=["doc._.projection"],
    default_config={
        "direction": "to_translation",
        "strategy": {"@misc": "spacy-transalign.SupportProjection.v1"},
        "unprojected": "O",
        "vote_labels": True,
        "label_map": None,
        "batch_size": 1000,
    },
)
def make_projector(
    nlp: Language,
    name: str,
    direction: Direction,
    strategy: ProjectionStrategy,
    unprojected: Unprojected,
    vote_labels: bool,
    label_map: Optional[Dict[str, str]],
    batch_size: int,
) -> "ProjectorComponent":
    return ProjectorComponent(
        name, direction=direction, strategy=strategy, unprojected=unprojected, vote=vote_labels, label_map=label_map,
        batch_size=batch_size,
    )


class ProjectorComponent(BatchPipe):
    """Projects entities for Docs that carry a translation and an alignment.

    With ``vote_labels``, spans with the same text projected several times within one
    ``nlp.pipe`` batch take their majority label (see :mod:`..projection.voting`).
    """

    def __init__(
        self,
        name: str,
        *,
        direction: Direction = "to_translation",
        strategy: ProjectionStrategy,
        unprojected: Unprojected = "O",
        vote: bool = True,
        label_map: Optional[Dict[str, str]] = None,
        batch_size: int = 1000,
    ):
        """``label_map`` renames source labels (OntoNotes ``PERSON`` -> ``PER``); with a map, source
        entities whose label it does not name are not projected (outcome ``skipped_label_not_mapped``)."""
        register_extensions()
        self.label_map = label_map
        self.name = name
        self.direction = direction
        self.strategy = strategy
        self.unprojected = unprojected
        self.vote = vote
        self.batch_size = batch_size
        self.summary: Counter = Counter()

    def initialize(self, get_examples: Optional[Callable[[], Iterable]] = None, *, nlp: Optional[Language] = None) -> None:
        self.summary.clear()

    def _sides(self, doc: Doc) -> Optional[Tuple[Doc, Doc, WordAlignment, bool]]:
        """(source doc, target doc, alignment, whether it must be inverted to read source->target),
        or None when the Doc cannot be projected."""
        translation, alignment = doc._.translation, doc._.alignment
        if translation is None or alignment is None:
            return None
        if self.direction == "to_translation":
            return doc, translation, alignment, False
        return translation, doc, alignment, True

    def process_batch(self, docs: Sequence[Doc]) -> None:
        jobs: List[Tuple[Doc, Doc, Optional[List[str]], Projection]] = []
        for doc in docs:
            sides = self._sides(doc)
            if sides is None:
                self.summary["docs_without_alignment"] += 1  # marker outcomes, if any, stay as they are
                continue
            if not sides[0].has_annotation("ENT_IOB"):  # nothing was tagged: the target is not "all O" either
                self.summary["docs_source_not_annotated"] += 1
                continue
            jobs.append((doc, sides[1], *self._project_doc(doc, *sides)))
        if self.vote and len(jobs) > 1:
            spans = [p.entity_spans() for _, _, _, p in jobs]
            words = [w if w is not None or not found else [t.text for t in target] for (_, target, w, _), found in zip(jobs, spans)]
            voted, changed = vote_span_labels(words, spans)
            for (_, _, _, projection), old, new in zip(jobs, spans, voted):
                if new is not old:
                    projection.relabel(new)
            self.summary["relabelled_by_vote"] += changed
        for doc, target, _, projection in jobs:
            spans = [Span(target, start, end, label=label) for start, end, label in projection.entity_spans()]
            target.set_ents(spans, default="outside")
            if self.unprojected == "missing":
                self._mark_unsure(doc, target, projection)
            doc._.projection = projection.outcomes
            self.summary.update(o["reason"] for o in projection.outcomes)
        if jobs:
            self.summary["docs"] += len(jobs)

    def _mark_unsure(self, doc: Doc, target: Doc, projection: Projection) -> None:
        """``unprojected="missing"``: the target words linked to a source entity that could not be
        projected become missing (``-``), so a tagger does not learn them as ``O``; the rest of
        the sentence stays ``O``."""
        sides = self._sides(doc)
        alignment = sides[2].inverted() if sides[3] else sides[2]
        taken = {t.i for ent in target.ents for t in ent}
        unsure = set()
        for outcome in projection.outcomes:
            if outcome["target"] is None:
                start, end = outcome["source"]
                unsure.update(j for _, j in alignment.links_from(start, end) if j not in taken)
        if unsure:
            target.set_ents([], missing=[target[j : j + 1] for j in sorted(unsure)], default="unmodified")
            self.summary["tokens_marked_missing"] += len(unsure)

    def _project_doc(self, doc: Doc, source: Doc, target: Doc, alignment: WordAlignment, invert: bool) -> Tuple[Optional[List[str]], Projection]:
        """The target's words (None when they were not needed) and the projection of ``source``'s
        entities; entities already placed by markers are kept as they are."""
        prior = doc._.projection if self.direction == "to_translation" and doc._.projection else []
        if not any(o.get("reason") in ("projected_by_marker", "marker_lost") or o.get("reason", "").endswith("_after_marker_loss")
                   for o in prior):
            prior = []  # an earlier run of this projector, not markers: project afresh
        by_marker = [o for o in prior if o.get("reason") == "projected_by_marker"]
        done = {tuple(o["source"]) for o in by_marker}
        entities = [(e.start, e.end, e.label_) for e in source.ents if (e.start, e.end) not in done]
        skipped: List[dict] = []
        if self.label_map is not None:
            skipped = [{"source": [s, e], "label": label, "text": source[s:e].text, "target": None,
                        "reason": "skipped_label_not_mapped"} for s, e, label in entities if label not in self.label_map]
            entities = [(s, e, self.label_map[label]) for s, e, label in entities if label in self.label_map]
        target_words: Optional[List[str]] = None
        if entities:  # words are read only here: Token objects are not free
            target_words = [t.text for t in target]
            src_tags = tags_from_spans(len(source), entities)
            projection = self.strategy([t.text for t in source], src_tags, target_words, alignment.inverted() if invert else alignment)
            for outcome in projection.outcomes:
                outcome["text"] = source[outcome["source"][0] : outcome["source"][1]].text
        else:  # nothing to project (see project_sentences)
            projection = Projection.nothing(len(target))
        if not prior:
            projection.outcomes.extend(skipped)
            return target_words, projection
        # markers first: alignment only fills in what the markers lost
        taken = [False] * len(target)
        spans = []
        for outcome in by_marker:
            start, end = outcome["target"]
            spans.append((start, end, outcome["label"]))
            taken[start:end] = [True] * (end - start)
        for outcome in projection.outcomes:
            outcome["reason"] = f"{outcome['reason']}_after_marker_loss"
            if outcome["target"]:
                start, end = outcome["target"]
                if any(taken[start:end]):
                    outcome["target"], outcome["reason"] = None, "dropped_overlap_after_marker_loss"
                    continue
                spans.append((start, end, outcome["label"]))
        return target_words, Projection(tags_from_spans(len(target), sorted(spans)), by_marker + projection.outcomes + skipped)
