"""Bulk DocBin reads without srsly's per-call registry scan.

srsly looks its msgpack codecs up in catalogue registries that scan the installed packages'
entry points on *every* (un)pack (about 1.7 ms here). A DocBin whose Docs carry translations
unpacks twice per Doc, so reading 14k of them spent 48 of 64 s in that scan. Inside
``frozen_msgpack_codecs()`` the registries answer from a snapshot taken on entry.
"""
from contextlib import contextmanager
from typing import Iterator

import srsly


@contextmanager
def frozen_msgpack_codecs() -> Iterator[None]:
    registries = (srsly.msgpack_decoders, srsly.msgpack_encoders)
    saved = [(registry, registry.__dict__.get("get_all")) for registry in registries]
    for registry in registries:
        snapshot = registry.get_all()
        registry.get_all = lambda snapshot=snapshot: snapshot  # an instance attribute shadows the method
    try:
        yield
    finally:
        for registry, before in saved:
            if before is None:
                del registry.get_all
            else:
                registry.get_all = before
