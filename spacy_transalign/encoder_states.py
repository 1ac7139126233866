"""Source-side encoder states shared between the translator and the aligner.

When ``transalign_translator`` runs an NLLB model and ``transalign_aligner`` aligns with the
encoder of the same model at its last layer, the aligner would encode every source sentence a
second time. The flow is explicit: an aligner that can use such states *asks* for them
(``request``, with the model, dtype and device it encodes with); a translator whose model
matches that key exactly leaves its encoder outputs here, and no translator stores anything
nobody asked for. A bf16 translator's states never feed an fp32 aligner, nor GPU states a CPU
one. Input ids are part of the lookup, so a hit is the very same input (pre-tokenised text, one
sentence per Doc); anything else misses and is encoded as usual. The store is bounded and
process-local.
"""
from collections import OrderedDict
from typing import Hashable, Optional, Sequence, Tuple

import torch

StateKey = Tuple[str, str, str]  # model, dtype, device
Key = Tuple[StateKey, Tuple[int, ...]]


def state_key(model: Hashable, dtype, device) -> StateKey:
    return model_key(model), str(dtype).replace("torch.", ""), str(torch.device(device))


class EncoderStateStore:
    def __init__(self, max_items: int = 8192):
        self.max_items = max_items
        self._items: "OrderedDict[Key, torch.Tensor]" = OrderedDict()
        self._wanted: set = set()
        self.hits = 0
        self.misses = 0

    def request(self, key: StateKey) -> None:
        """An aligner that encodes with ``key`` will look states up: translators may leave them."""
        self._wanted.add(key)

    def wants(self, key: StateKey) -> bool:
        return key in self._wanted

    def put(self, model: StateKey, input_ids: Sequence[int], states: torch.Tensor) -> None:
        if model not in self._wanted:
            return
        key = (model, tuple(input_ids))
        self._items[key] = states
        self._items.move_to_end(key)
        while len(self._items) > self.max_items:
            self._items.popitem(last=False)

    def get(self, model: StateKey, input_ids: Sequence[int]) -> Optional[torch.Tensor]:
        states = self._items.get((model, tuple(input_ids)))
        if states is None:
            self.misses += 1
        else:
            self.hits += 1
        return states

    def clear(self) -> None:
        """Forget the states (requests stay: the aligners that made them still exist)."""
        self._items.clear()


SHARED_STATES = EncoderStateStore()


def model_key(name: Hashable) -> str:
    """One key for a model however it is named (a folder with or without a trailing slash)."""
    import os

    name = str(name)
    return os.path.realpath(name) if os.path.isdir(name) else name
