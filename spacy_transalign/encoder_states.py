"""Source-side encoder states shared between the translator and the aligner.

When ``transalign_translator`` runs an NLLB model and ``transalign_aligner`` aligns with the
encoder of the same model at its last layer, the aligner would encode every source sentence a
second time. The translator therefore leaves its encoder outputs here, keyed by model and input
ids; the aligner looks its own input ids up before running the encoder. Keys are exact token id
sequences, so a hit is the very same input (pre-tokenised text, one sentence per Doc); anything
else misses and is encoded as usual. The store is bounded and process-local.
"""
from collections import OrderedDict
from typing import Hashable, Optional, Sequence, Tuple

import torch

Key = Tuple[str, Tuple[int, ...]]


class EncoderStateStore:
    def __init__(self, max_items: int = 8192):
        self.max_items = max_items
        self._items: "OrderedDict[Key, torch.Tensor]" = OrderedDict()
        self.hits = 0
        self.misses = 0

    def put(self, model: str, input_ids: Sequence[int], states: torch.Tensor) -> None:
        key = (model, tuple(input_ids))
        self._items[key] = states
        self._items.move_to_end(key)
        while len(self._items) > self.max_items:
            self._items.popitem(last=False)

    def get(self, model: str, input_ids: Sequence[int]) -> Optional[torch.Tensor]:
        states = self._items.get((model, tuple(input_ids)))
        if states is None:
            self.misses += 1
        else:
            self.hits += 1
        return states

    def clear(self) -> None:
        self._items.clear()


SHARED_STATES = EncoderStateStore()


def model_key(name: Hashable) -> str:
    """One key for a model however it is named (a folder with or without a trailing slash)."""
    import os

    name = str(name)
    return os.path.realpath(name) if os.path.isdir(name) else name
