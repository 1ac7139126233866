"""EncoderAligner: TransAlign's word aligner on the encoder of a (multilingual MT) transformer.

Subwords of both sentences are embedded with encoder layer ``layer``; ``S = X @ Y.T`` is turned
into links (``softmax`` with a threshold in both directions, ``argmax`` or ``itermax``); a word
pair is linked when any of their subwords are. Sentences are encoded per side in length-sorted
batches (little padding), the layers above ``layer`` are never run, and link extraction is
vectorised over padded batches of pairs.
"""

import logging
import os
from dataclasses import dataclass
from typing import List, Literal, Optional, Sequence

import torch
from spacy.util import registry
from torch.nn.utils.rnn import pad_sequence

from ..alignment import WordAlignment
from ..encoder_states import SHARED_STATES, state_key
from ..models import check_model_name, from_pretrained, local_layer_count, resolve_device
from .extraction import Method, bidirectional_probs, extract, softmax_links

logger = logging.getLogger("spacy_transalign")

Precision = Literal["fp32", "bf16", "int8"]
DEFAULT_MODEL = "facebook/nllb-200-distilled-600M"


@dataclass
class _Tokenized:
    """Content subwords of one sentence (special tokens excluded) and their word indices."""

    ids: List[int]
    word_ids: List[int]
    truncated: bool = False


class EncoderAligner:
    """Align pre-tokenised sentence pairs; see the module docstring for the rule."""

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        layer: int = 12,
        method: Method = "softmax",
        threshold: float = 1e-3,
        src_lang: Optional[str] = None,
        tgt_lang: Optional[str] = None,
        batch_size: int = 32,
        device: Optional[str] = None,
        lora_path: Optional[str] = None,
        local_files_only: bool = False,
        max_length: Optional[int] = None,
        precision: Precision = "fp32",
    ):
        if method not in ("softmax", "argmax", "itermax"):
            raise ValueError(f"Unknown method {method!r}: choose softmax, argmax or itermax")
        if precision not in ("fp32", "bf16", "int8"):
            raise ValueError(f"Unknown precision {precision!r}: choose fp32, bf16 or int8")
        if batch_size < 1:
            raise ValueError("batch_size must be >= 1")
        check_model_name(str(model))  # cheap checks now, so a broken config fails when the pipeline is built
        n_layers = local_layer_count(str(model))
        if n_layers is not None and not 0 <= layer <= n_layers:
            raise ValueError(f"layer={layer} but '{model}' has {n_layers} encoder layers (its config.json)")
        if lora_path and not os.path.isdir(lora_path):
            raise ValueError(f"lora_path '{lora_path}' is not a folder (a peft adapter saved with save_pretrained)")
        self._reuse_key = None  # see encoder_states: asked for now, so the translator's first batch is kept
        if n_layers is not None:
            self._ask_for_translator_states(str(model), layer == n_layers and not lora_path and precision == "fp32", device)
        self.model_name = str(model)
        self.layer = layer
        self.method: Method = method
        self.threshold = threshold
        self.src_lang = src_lang
        self.tgt_lang = tgt_lang
        self.batch_size = batch_size
        self.device_name = device
        self.lora_path = lora_path
        self.local_files_only = local_files_only
        self.max_length = max_length
        self.precision = precision
        self._encoder: Optional[torch.nn.Module] = None
        self._tokenizers: dict = {}
        self._specials: dict = {}

    # --- loading -------------------------------------------------------------------------
    @property
    def device(self) -> torch.device:
        return torch.device(resolve_device(self.device_name))

    def initialize(self) -> None:
        """Load the encoder once (also called lazily by :meth:`align`)."""
        if self._encoder is not None:
            return
        from transformers import AutoConfig, AutoModel

        config = from_pretrained(AutoConfig.from_pretrained, self.model_name, self.local_files_only)
        n_layers = _num_layers(config)
        if not 0 <= self.layer <= n_layers:
            raise ValueError(f"layer={self.layer} but '{self.model_name}' has {n_layers} encoder layers")
        model = from_pretrained(AutoModel.from_pretrained, self.model_name, self.local_files_only)
        encoder = model.get_encoder() if getattr(config, "is_encoder_decoder", False) else model
        del model  # the decoder (and LM head) are never used: let them go
        if self.lora_path:
            from peft import PeftModel

            encoder = PeftModel.from_pretrained(encoder, self.lora_path).merge_and_unload()
        self._keep_layers(encoder, n_layers)
        encoder.eval()
        if self.precision == "bf16":
            encoder = encoder.to(torch.bfloat16)
        elif self.precision == "int8":
            if self.device.type != "cpu":
                raise ValueError("precision='int8' (dynamic quantisation) runs on the CPU only")
            encoder = torch.ao.quantization.quantize_dynamic(encoder, {torch.nn.Linear}, dtype=torch.qint8, inplace=True)
        self._encoder = encoder.to(self.device)
        # translator states are the last layer's, in fp32, without an adapter
        self._ask_for_translator_states(self.model_name, self.layer == n_layers and not self.lora_path and self.precision == "fp32",
                                        self.device_name)
        self._max_positions = _max_positions(config)
        logger.info("Loaded encoder of %s (layer %d of %d) on %s", self.model_name, self.layer, n_layers, self.device)

    def _ask_for_translator_states(self, model: str, usable: bool, device: Optional[str]) -> None:
        self._reuse_key = state_key(model, torch.float32, resolve_device(device)) if usable else None
        if self._reuse_key is not None:
            SHARED_STATES.request(self._reuse_key)

    @property
    def _reuses_translator_states(self) -> bool:
        return self._reuse_key is not None

    @_reuses_translator_states.setter
    def _reuses_translator_states(self, value: bool) -> None:  # tests switch reuse off
        if not value:
            self._reuse_key = None

    def _keep_layers(self, encoder: torch.nn.Module, n_layers: int) -> None:
        """Drop the layers above ``layer`` so they are never computed.

        Afterwards the encoder's last hidden state *is* ``hidden_states[layer]`` of the full model:
        for pre-norm MT encoders (NLLB, M2M100) the final layer norm is only kept when ``layer`` is
        the last layer, because ``hidden_states[k < n]`` is the un-normalised residual stream.
        """
        self._use_hidden_states = False
        if hasattr(encoder, "layers") and isinstance(encoder.layers, torch.nn.ModuleList):
            encoder.layers = encoder.layers[: self.layer]
            if self.layer < n_layers and hasattr(encoder, "layer_norm"):
                encoder.layer_norm = torch.nn.Identity()
        elif hasattr(encoder, "encoder") and isinstance(getattr(encoder.encoder, "layer", None), torch.nn.ModuleList):
            encoder.encoder.layer = encoder.encoder.layer[: self.layer]
        elif self.layer < n_layers:
            self._use_hidden_states = True  # unknown layout: run all layers, pick the one we need

    def _tokenizer(self, lang: Optional[str]):
        if lang not in self._tokenizers:
            from transformers import AutoTokenizer

            kwargs = {"add_prefix_space": True}
            if lang:
                kwargs["src_lang"] = lang
            tok = from_pretrained(AutoTokenizer.from_pretrained, self.model_name, self.local_files_only, **kwargs)
            uses_lang_codes = isinstance(getattr(type(tok), "src_lang", None), property)
            if not lang and uses_lang_codes:  # the tokenizer would silently use its default (eng_Latn)
                raise ValueError(
                    f"'{self.model_name}' needs a language code for each side, and one is unknown (a Doc in a "
                    "language without a FLORES-200 code, such as 'xx', or no --src-lang/--tgt-lang): set "
                    "src_lang and tgt_lang, e.g. 'bam_Latn' and 'eng_Latn'"
                )
            if lang and uses_lang_codes and tok.convert_tokens_to_ids(lang) == tok.unk_token_id:
                raise ValueError(
                    f"Unknown language code {lang!r} for '{self.model_name}' (NLLB expects FLORES-200 "
                    "codes such as 'eng_Latn', 'spa_Latn', 'bam_Latn')"
                )
            marker = -7  # any id: we only look where the specials land around it
            framed = tok.build_inputs_with_special_tokens([marker])
            at = framed.index(marker)
            self._specials[lang] = (framed[:at], framed[at + 1 :])
            self._tokenizers[lang] = tok
        return self._tokenizers[lang]

    # --- public API ----------------------------------------------------------------------
    def align(
        self,
        src_words: Sequence[Sequence[str]],
        tgt_words: Sequence[Sequence[str]],
        src_lang: Optional[str] = None,
        tgt_lang: Optional[str] = None,
    ) -> List[WordAlignment]:
        """Word alignments for each pair; an empty side gives an empty alignment.

        ``src_lang``/``tgt_lang`` are used where the aligner was configured without codes (the
        pipeline component passes the Docs' languages); configured codes always win.
        """
        src_lang = self.src_lang or src_lang
        tgt_lang = self.tgt_lang or tgt_lang
        if len(src_words) != len(tgt_words):
            raise ValueError(f"{len(src_words)} source sentences but {len(tgt_words)} target sentences")
        self.initialize()
        result: List[WordAlignment] = [WordAlignment() for _ in src_words]
        todo = [k for k, (s, t) in enumerate(zip(src_words, tgt_words)) if len(s) and len(t)]
        if not todo:
            return result
        src_tok = self._tokenize([src_words[k] for k in todo], src_lang)
        tgt_tok = self._tokenize([tgt_words[k] for k in todo], tgt_lang)
        truncated = sum(t.truncated for t in src_tok) + sum(t.truncated for t in tgt_tok)
        if truncated:
            logger.warning(
                "%d sentences exceed %d subwords: their words past the limit stay unaligned",
                truncated,
                self._limit(),
            )
        src_states = self._encode(src_tok, src_lang)
        tgt_states = self._encode(tgt_tok, tgt_lang)
        for k, alignment in zip(todo, self._links(src_states, tgt_states, src_tok, tgt_tok)):
            result[k] = alignment
        return result

    __call__ = align

    # --- steps ---------------------------------------------------------------------------
    def _limit(self) -> int:
        return self.max_length or self._max_positions

    def _tokenize(self, sentences: Sequence[Sequence[str]], lang: Optional[str]) -> List[_Tokenized]:
        tok = self._tokenizer(lang)
        prefix, suffix = self._specials[lang]
        room = self._limit() - len(prefix) - len(suffix)
        out = []
        for ids, wids in _subwords(tok, sentences):
            out.append(_Tokenized(ids[:room], wids[:room], len(ids) > room))
        return out

    @torch.inference_mode()
    def _encode(self, sentences: List[_Tokenized], lang: Optional[str]) -> List[torch.Tensor]:
        """Hidden states of layer ``layer`` for the content subwords of each sentence."""
        prefix, suffix = self._specials[lang]
        pad_id = self._tokenizers[lang].pad_token_id or 0
        states: List[Optional[torch.Tensor]] = [None] * len(sentences)
        device = self.device
        if self._reuse_key is not None:  # the translator may have encoded these already
            for k, sentence in enumerate(sentences):
                shared = SHARED_STATES.get(self._reuse_key, prefix + sentence.ids + suffix)
                if shared is not None:
                    states[k] = shared[len(prefix) : len(prefix) + len(sentence.ids)].to(device)
        todo = [k for k in range(len(sentences)) if states[k] is None]
        order = sorted(todo, key=lambda k: -len(sentences[k].ids))
        for start in range(0, len(order), self.batch_size):
            batch = order[start : start + self.batch_size]
            rows = [torch.tensor(prefix + sentences[k].ids + suffix) for k in batch]
            input_ids = pad_sequence(rows, batch_first=True, padding_value=pad_id).to(device)
            lengths = torch.tensor([len(r) for r in rows], device=device)
            mask = (torch.arange(input_ids.shape[1], device=device)[None, :] < lengths[:, None]).long()
            out = self._encoder(input_ids=input_ids, attention_mask=mask, output_hidden_states=self._use_hidden_states)
            hidden = out.hidden_states[self.layer] if self._use_hidden_states else out.last_hidden_state
            hidden = hidden.float()
            for row, k in enumerate(batch):
                states[k] = hidden[row, len(prefix) : len(prefix) + len(sentences[k].ids)]
        return states  # type: ignore[return-value]

    @torch.inference_mode()
    def _links(
        self,
        src_states: List[torch.Tensor],
        tgt_states: List[torch.Tensor],
        src_tok: List[_Tokenized],
        tgt_tok: List[_Tokenized],
    ) -> List[WordAlignment]:
        device = self.device
        n = len(src_states)
        order = sorted(range(n), key=lambda k: -(len(src_tok[k].ids) * len(tgt_tok[k].ids)))
        result: List[Optional[WordAlignment]] = [None] * n
        for start in range(0, n, self.batch_size):
            batch = order[start : start + self.batch_size]
            x = pad_sequence([src_states[k] for k in batch], batch_first=True)
            y = pad_sequence([tgt_states[k] for k in batch], batch_first=True)
            src_wid = _pad_ids([src_tok[k].word_ids for k in batch], device)
            tgt_wid = _pad_ids([tgt_tok[k].word_ids for k in batch], device)
            src_valid, tgt_valid = src_wid >= 0, tgt_wid >= 0
            sim = torch.bmm(x, y.transpose(1, 2))
            forward, backward = bidirectional_probs(sim, src_valid, tgt_valid)  # scores, and softmax's links
            if self.method == "softmax":
                links = softmax_links(sim, src_valid, tgt_valid, self.threshold, probs=(forward, backward))
            elif self.method == "itermax":  # SimAlign works on cosine similarity scaled to [0, 1]
                norms = x.norm(dim=2)[:, :, None] * y.norm(dim=2)[:, None, :]
                links = extract("itermax", (sim / norms.clamp_min(1e-12) + 1.0) / 2.0, src_valid, tgt_valid, 0.0)
            else:
                links = extract(self.method, sim, src_valid, tgt_valid, self.threshold)
            scores = (forward * backward).sqrt()
            for k, alignment in zip(batch, _pool_to_words(links, scores, src_wid, tgt_wid)):
                result[k] = alignment
        return result  # type: ignore[return-value]


def _subwords(tok, sentences: Sequence[Sequence[str]]):
    """(subword ids, word index of each) per sentence, special tokens excluded.

    Fast tokenizers map subwords to words with ``word_ids()``; slow ones (M2M100) tokenise
    each word on its own, which is what ``is_split_into_words`` does for sentencepiece models.
    """
    if tok.is_fast:
        enc = tok([list(map(str, s)) for s in sentences], is_split_into_words=True, add_special_tokens=False)
        for k, ids in enumerate(enc["input_ids"]):
            keep = [(i, w) for i, w in zip(ids, enc.word_ids(k)) if w is not None]
            yield [i for i, _ in keep], [w for _, w in keep]
        return
    for sentence in sentences:
        pieces = tok(list(map(str, sentence)), add_special_tokens=False)["input_ids"] if sentence else []
        yield [i for word in pieces for i in word], [w for w, word in enumerate(pieces) for _ in word]


def _pad_ids(rows: List[List[int]], device) -> torch.Tensor:
    return pad_sequence([torch.tensor(r, dtype=torch.long) for r in rows], batch_first=True, padding_value=-1).to(device)


def _pool_to_words(links, scores, src_wid, tgt_wid) -> List[WordAlignment]:
    """Subword links -> word links (any subword pair links the words), max score per word pair."""
    batch_size = links.shape[0]
    n_src = int(src_wid.max()) + 1
    n_tgt = int(tgt_wid.max()) + 1
    b, i, j = links.nonzero(as_tuple=True)
    keys = (b * n_src + src_wid[b, i]) * n_tgt + tgt_wid[b, j]
    best = torch.zeros(batch_size * n_src * n_tgt, dtype=scores.dtype, device=scores.device)
    best = best.scatter_reduce(0, keys, scores[b, i, j], reduce="amax", include_self=False)
    unique = torch.unique(keys)  # sorted: by sentence, then source word, then target word
    sent, rest = unique // (n_src * n_tgt), unique % (n_src * n_tgt)
    counts = torch.bincount(sent, minlength=batch_size).tolist()
    src_list = (rest // n_tgt).tolist()
    tgt_list = (rest % n_tgt).tolist()
    score_list = best[unique].tolist()
    out, pos = [], 0
    for count in counts:
        end = pos + count
        out.append(WordAlignment._trusted(list(zip(src_list[pos:end], tgt_list[pos:end])), score_list[pos:end]))
        pos = end
    return out


def _num_layers(config) -> int:
    for attr in ("encoder_layers", "num_hidden_layers", "n_layers", "num_layers"):
        if isinstance(getattr(config, attr, None), int):
            return getattr(config, attr)
    raise ValueError(f"Cannot tell how many encoder layers {type(config).__name__} has")


def _max_positions(config) -> int:
    return int(getattr(config, "max_position_embeddings", None) or 512)


registry.misc.register("spacy-transalign.EncoderAligner.v1", func=EncoderAligner)
