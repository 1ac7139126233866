"""Loading Hugging Face models and tokenizers offline-first, with errors a user can act on."""
from __future__ import annotations

import logging
import os
from typing import Any, Callable, Optional, TypeVar

logger = logging.getLogger("spacy_transalign")

T = TypeVar("T")


class ModelNotAvailableError(OSError):
    """A model could be found neither in a local folder nor in the Hugging Face cache/hub."""


def model_hint(name: str) -> str:
    return (
        f"Could not load the model '{name}'. It is not a local folder, and it is neither in the "
        "Hugging Face cache nor reachable on the hub (offline machine, HF_HUB_OFFLINE=1 or "
        "local_files_only=True). Download it on a machine with internet access, e.g. "
        f"`huggingface-cli download {name} --local-dir ./models/{name.split('/')[-1]}`, then pass "
        "that folder as the model, or point HF_HOME at a cache that holds it."
    )


def looks_like_a_folder(name: str) -> bool:
    """Hub ids are ``name`` or ``org/name``; anything else can only be a folder."""
    return name.startswith(("/", "./", "../", "~")) or name.count("/") > 1 or "\\" in name


def check_model_name(name: str) -> None:
    """At pipeline build time, for free: a model given as a folder must exist."""
    if not os.path.isdir(name) and looks_like_a_folder(name):
        raise ModelNotAvailableError(f"Model folder '{name}' does not exist. {model_hint(name)}")


def local_layer_count(name: str) -> Optional[int]:
    """Encoder layers of a model in a local folder, read from its config.json (no weights loaded);
    None for hub names (checked when the model loads)."""
    import json

    path = os.path.join(name, "config.json")
    if not os.path.isfile(path):
        return None
    with open(path, encoding="utf-8") as f:
        config = json.load(f)
    for key in ("encoder_layers", "num_hidden_layers", "n_layers", "num_layers"):
        if isinstance(config.get(key), int):
            return config[key]
    return None


def from_pretrained(loader: Callable[..., T], name: str, local_files_only: bool = False, **kwargs: Any) -> T:
    """Call ``loader(name, ...)`` and turn 'not found' failures into a ModelNotAvailableError."""
    name = str(name)
    is_local = os.path.isdir(name)
    check_model_name(name)
    try:
        return loader(name, local_files_only=local_files_only or is_local, **kwargs)
    except (OSError, ValueError) as err:
        if isinstance(err, ValueError) and type(err).__name__ != "HFValidationError":
            raise
        raise ModelNotAvailableError(f"{model_hint(name)}\nOriginal error: {err}") from err


def resolve_device(device: Optional[str]) -> str:
    """``None`` follows thinc: the GPU when spaCy was told to use one (``spacy.require_gpu``)."""
    if device:
        return device
    try:
        from thinc.api import get_current_ops

        ops = get_current_ops()
        if type(ops).__name__ == "CupyOps":
            import torch

            return f"cuda:{torch.cuda.current_device()}"
    except Exception:  # pragma: no cover - thinc without GPU support
        pass
    return "cpu"
