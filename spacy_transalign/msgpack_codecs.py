"""Bulk DocBin reads without srsly's per-call registry scan.

srsly looks its msgpack codecs up in catalogue registries that scan the installed packages'
entry points on *every* (un)pack (about 1.7 ms here). A DocBin whose Docs carry translations
unpacks twice per Doc, so reading 14k of them spent 48 of 64 s in that scan. Inside
``frozen_msgpack_codecs()`` the registries answer from a snapshot taken on entry.

``entry_points=False`` leaves out codecs that only installed packages' entry points provide
(taking the snapshot would import them: spacy-transformers brings torch and transformers, ~3 s).
Data of such a package then stays a plain msgpack dict: right for a reader, like the viewer,
that never looks at it.
"""
from contextlib import contextmanager
from typing import Any, Dict, Iterator

import catalogue
import srsly


def _registered_here(registry: catalogue.Registry) -> Dict[str, Any]:
    """What ``get_all`` returns without loading entry points (catalogue keeps registrations in
    ``REGISTRY``, keyed by namespace + name)."""
    return {keys[-1]: value for keys, value in catalogue.REGISTRY.copy().items() if tuple(keys[:-1]) == tuple(registry.namespace)}


@contextmanager
def frozen_msgpack_codecs(entry_points: bool = True) -> Iterator[None]:
    registries = (srsly.msgpack_decoders, srsly.msgpack_encoders)
    saved = [(registry, registry.__dict__.get("get_all")) for registry in registries]
    for registry in registries:
        snapshot = registry.get_all() if entry_points else _registered_here(registry)
        registry.get_all = lambda snapshot=snapshot: snapshot  # an instance attribute shadows the method
    try:
        yield
    finally:
        for registry, before in saved:
            if before is None:
                del registry.get_all
            else:
                registry.get_all = before
