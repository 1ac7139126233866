"""TransAlign's reference projection ("hull"), reproduced label for label.

Every target word aligned to any token of a source entity is collected; the entity is written
from the first to the last of them (gaps filled), ``B-`` tag first; entities are written in
source order, so later ones overwrite earlier ones. Source entities are read the way
TransAlign's ``extract_entity_indices`` reads them (an ``I-`` tag continues an entity of any
type; an ``I-`` after ``O`` starts one), which matters for exact reproduction on noisy tags.
"""
from __future__ import annotations

from typing import List, Sequence, Tuple

from ..alignment import WordAlignment
from ..evaluation import all_outside


def reference_entities(tags: Sequence[str]) -> List[List[int]]:
    """Token indices of each entity, as TransAlign reads BIO tags."""
    entities: List[List[int]] = []
    if all_outside(tags):
        return entities
    current: List[int] = []
    for k, tag in enumerate(tags):
        if tag == "O":
            if current:
                entities.append(current)
            current = []
        elif tag.startswith("B-"):
            if current:
                entities.append(current)
            current = [k]
        elif tag.startswith("I-"):
            current.append(k)
    if current:
        entities.append(current)
    return entities


def inside_tag(tags: Sequence[str], entity: List[int]) -> str:
    tag = tags[entity[-1]] if len(entity) > 1 else tags[entity[0]]
    return "I-" + tag[2:] if tag.startswith("B-") else tag


def hull_tags(src_tags: Sequence[str], n_target: int, alignment: WordAlignment) -> Tuple[List[str], List[Tuple[List[int], Tuple[int, int] | None]]]:
    """Target tags, and for each source entity its target range ``(start, end)`` or None."""
    tags = ["O"] * n_target
    placed: List[Tuple[List[int], Tuple[int, int] | None]] = []
    for entity in reference_entities(src_tags):
        links = alignment.links_from(entity[0], entity[-1] + 1)
        if len(entity) <= entity[-1] - entity[0]:  # a non-BIO tag (skipped) inside the entity
            links = [(i, j) for i, j in links if i in entity]
        targets = [j for _, j in links if j < n_target]
        if not targets:
            placed.append((entity, None))
            continue
        first, last = min(targets), max(targets)
        tags[first] = src_tags[entity[0]]
        inside = inside_tag(src_tags, entity)
        for j in range(first + 1, last + 1):
            tags[j] = inside
        placed.append((entity, (first, last + 1)))
    return tags, placed
