"""HFTranslator: any transformers seq2seq MT model (NLLB-200, M2M100, Marian/OPUS-MT)."""

import logging
from typing import List, Literal, Optional, Sequence

import torch
from spacy.util import registry

from ..models import check_model_name, from_pretrained, resolve_device
from ..encoder_states import SHARED_STATES, state_key
from .base import translate_in_batches

logger = logging.getLogger("spacy_transalign")

DType = Literal["float32", "float16", "bfloat16"]
DEFAULT_MODEL = "facebook/nllb-200-distilled-600M"


def forced_bos_id(tokenizer, tgt_lang: Optional[str]) -> Optional[int]:
    """The target-language token NLLB/M2M100 decoders must start with (None for Marian)."""
    if not tgt_lang:
        return None
    if hasattr(tokenizer, "get_lang_id"):  # M2M100: 'es' -> '__es__'
        return tokenizer.get_lang_id(tgt_lang)
    token_id = tokenizer.convert_tokens_to_ids(tgt_lang)
    if token_id is None or token_id == tokenizer.unk_token_id:
        raise ValueError(f"Unknown target language code {tgt_lang!r} for this model (NLLB expects e.g. 'spa_Latn')")
    return token_id


class HFTranslator:
    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        src_lang: Optional[str] = "eng_Latn",
        tgt_lang: Optional[str] = "spa_Latn",
        num_beams: int = 1,
        max_new_tokens: int = 256,
        batch_size: int = 16,
        device: Optional[str] = None,
        dtype: DType = "float32",
        local_files_only: bool = False,
        min_new_tokens: int = 0,
        share_encoder_states: bool = True,
    ):
        check_model_name(str(model))  # a missing folder fails when the pipeline is built
        self.model_name = str(model)
        self.src_lang = src_lang
        self.tgt_lang = tgt_lang
        self.target_lang = tgt_lang or ""
        self.num_beams = num_beams
        self.max_new_tokens = max_new_tokens
        self.min_new_tokens = min_new_tokens
        self.share_encoder_states = share_encoder_states
        self.batch_size = batch_size
        self.device_name = device
        self.dtype = dtype
        self.local_files_only = local_files_only
        self._model = None
        self._tokenizer = None
        self.truncated_inputs = 0  # sentences cut to the model's input length
        self.truncated_outputs = 0  # translations that reached max_new_tokens

    @property
    def cache_key(self) -> str:
        return f"hf|{self.model_name}|{self.src_lang}|{self.tgt_lang}|beams={self.num_beams}|max={self.max_new_tokens}|min={self.min_new_tokens}|{self.dtype}"

    def initialize(self) -> None:
        if self._model is not None:
            return
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

        kwargs = {"src_lang": self.src_lang} if self.src_lang else {}
        self._tokenizer = from_pretrained(AutoTokenizer.from_pretrained, self.model_name, self.local_files_only, **kwargs)
        self._forced_bos = forced_bos_id(self._tokenizer, self.tgt_lang)
        model = from_pretrained(AutoModelForSeq2SeqLM.from_pretrained, self.model_name, self.local_files_only)
        self._model = model.to(device=resolve_device(self.device_name), dtype=getattr(torch, self.dtype)).eval()

    def translate(self, texts: Sequence[str]) -> List[str]:
        self.initialize()
        return translate_in_batches(texts, self.batch_size, self._translate_batch)

    @torch.inference_mode()
    def _translate_batch(self, texts: List[str]) -> List[str]:
        encoded_ids = self._tokenizer(texts)
        limit = self._input_limit()
        cut = sum(len(ids) > limit for ids in encoded_ids["input_ids"]) if limit is not None else 0
        if cut:
            self.truncated_inputs += cut
            logger.warning("%d of %d sentences are longer than %s's %d input tokens and were cut to fit: "
                           "their ends are not translated (split long sentences first)", cut, len(texts), self.model_name, limit)
            inputs = self._tokenizer(texts, return_tensors="pt", padding=True, truncation=True)
        else:  # nothing to cut: pad the ids already made instead of tokenising again
            inputs = self._tokenizer.pad(encoded_ids, return_tensors="pt")
        inputs = inputs.to(self._model.device)
        extra = {}
        key = state_key(self.model_name, self._model.dtype, self._model.device)
        if self.share_encoder_states and self._model.config.is_encoder_decoder and SHARED_STATES.wants(key):
            # an aligner on this very model, dtype and device asked for them: encode once, explicitly
            encoded = self._model.get_encoder()(input_ids=inputs["input_ids"], attention_mask=inputs["attention_mask"])
            extra["encoder_outputs"] = encoded
            for row, mask in zip(range(len(texts)), inputs["attention_mask"].bool()):
                ids = inputs["input_ids"][row][mask].tolist()
                SHARED_STATES.put(key, ids, encoded.last_hidden_state[row][mask])
        generated = self._model.generate(
            **inputs,
            **extra,
            forced_bos_token_id=self._forced_bos,
            num_beams=self.num_beams,
            do_sample=False,
            max_new_tokens=self.max_new_tokens,
            min_new_tokens=self.min_new_tokens or None,
        )
        # position 0 is the decoder's start token (</s> for NLLB): a translation that ended has
        # </s> later; one without it stopped at the length limit
        ended = (generated[:, 1:] == self._tokenizer.eos_token_id).any(dim=1)
        unfinished = int((~ended).sum()) if generated.shape[1] - 1 >= self.max_new_tokens else 0
        if unfinished:
            self.truncated_outputs += unfinished
            logger.warning("%d translations reached max_new_tokens=%d and may be cut short; raise max_new_tokens",
                           unfinished, self.max_new_tokens)
        return [t.strip() for t in self._tokenizer.batch_decode(generated, skip_special_tokens=True)]

    def _input_limit(self):
        """The model's input length: the tokenizer's setting, else the position table's size."""
        limit = self._tokenizer.model_max_length
        if not limit or limit > 1_000_000:  # transformers' "no limit" placeholder
            limit = getattr(self._model.config, "max_position_embeddings", None)
        return limit


registry.misc.register("spacy-transalign.HFTranslator.v1", func=HFTranslator)
