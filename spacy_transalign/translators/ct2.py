"""CT2Translator: the same seq2seq models through CTranslate2, for fast (int8) CPU inference.

Convert once with ``python -m spacy_transalign convert-ct2 MODEL OUT_DIR``; the tokenizer is
read from the converted folder (``convert-ct2`` copies it there) or from ``tokenizer``.
"""

from pathlib import Path
from typing import List, Literal, Optional, Sequence, Union

from spacy.util import registry

from ..models import from_pretrained
from .base import translate_in_batches
from .hf import forced_bos_id

ComputeType = Literal["default", "auto", "int8", "int8_float32", "float32", "float16", "bfloat16", "int8_float16"]


def _import_ct2():
    try:
        import ctranslate2
    except ImportError as err:
        raise ImportError("CT2Translator needs CTranslate2: pip install 'spacy-transalign[ct2]'") from err
    return ctranslate2


def convert_to_ct2(model: str, output_dir: Union[str, Path], quantization: Optional[str] = None, force: bool = False) -> Path:
    """Convert a transformers MT model (hub name or folder) and save its tokenizer beside it."""
    ctranslate2 = _import_ct2()
    from transformers import AutoTokenizer

    class Converter(ctranslate2.converters.TransformersConverter):
        def load_model(self, model_class, model_name_or_path, **kwargs):
            try:
                return super().load_model(model_class, model_name_or_path, **kwargs)
            except TypeError:  # transformers < 4.56 calls the argument torch_dtype
                kwargs["torch_dtype"] = kwargs.pop("dtype", None)
                return super().load_model(model_class, model_name_or_path, **kwargs)

    converter = Converter(str(model), load_as_float16=False)
    converter.convert(str(output_dir), quantization=quantization, force=force)
    AutoTokenizer.from_pretrained(str(model)).save_pretrained(str(output_dir))
    return Path(output_dir)


class CT2Translator:
    def __init__(
        self,
        model: str,
        src_lang: Optional[str] = "eng_Latn",
        tgt_lang: Optional[str] = "spa_Latn",
        tokenizer: Optional[str] = None,
        compute_type: ComputeType = "default",
        num_beams: int = 1,
        max_new_tokens: int = 256,
        batch_size: int = 32,
        device: str = "cpu",
        inter_threads: int = 1,
        intra_threads: int = 0,
        min_new_tokens: int = 0,
    ):
        self.min_new_tokens = min_new_tokens
        self.model_dir = str(model)
        self.src_lang = src_lang
        self.tgt_lang = tgt_lang
        self.target_lang = tgt_lang or ""
        self.tokenizer_name = str(tokenizer or model)
        self.compute_type = compute_type
        self.num_beams = num_beams
        self.max_new_tokens = max_new_tokens
        self.batch_size = batch_size
        self.device = device
        self.inter_threads = inter_threads
        self.intra_threads = intra_threads
        self._translator = None

    @property
    def cache_key(self) -> str:
        return f"ct2|{self.model_dir}|{self.src_lang}|{self.tgt_lang}|{self.compute_type}|beams={self.num_beams}|max={self.max_new_tokens}|min={self.min_new_tokens}"

    def initialize(self) -> None:
        if self._translator is not None:
            return
        ctranslate2 = _import_ct2()
        from transformers import AutoTokenizer

        if not (Path(self.model_dir) / "model.bin").exists():
            raise FileNotFoundError(
                f"No CTranslate2 model in {self.model_dir!r}: convert one with "
                f"`python -m spacy_transalign convert-ct2 MODEL {self.model_dir}`"
            )
        kwargs = {"src_lang": self.src_lang} if self.src_lang else {}
        self._tokenizer = from_pretrained(AutoTokenizer.from_pretrained, self.tokenizer_name, True, **kwargs)
        bos = forced_bos_id(self._tokenizer, self.tgt_lang)
        self._prefix = None if bos is None else [self._tokenizer.convert_ids_to_tokens(bos)]
        self._translator = ctranslate2.Translator(
            self.model_dir, device=self.device, compute_type=self.compute_type,
            inter_threads=self.inter_threads, intra_threads=self.intra_threads,
        )

    def translate(self, texts: Sequence[str]) -> List[str]:
        self.initialize()
        return translate_in_batches(texts, self.batch_size, self._translate_batch)

    def _translate_batch(self, texts: List[str]) -> List[str]:
        tok = self._tokenizer
        source = [tok.convert_ids_to_tokens(tok(t, truncation=True)["input_ids"]) for t in texts]
        results = self._translator.translate_batch(
            source,
            target_prefix=[self._prefix] * len(texts) if self._prefix else None,
            beam_size=self.num_beams,
            # CTranslate2 counts the target prefix in the decoding length; transformers does too
            max_decoding_length=self.max_new_tokens,
            min_decoding_length=max(self.min_new_tokens, 1),
        )
        out = []
        for result in results:
            ids = tok.convert_tokens_to_ids(result.hypotheses[0])
            out.append(tok.decode(ids, skip_special_tokens=True).strip())
        return out


registry.misc.register("spacy-transalign.CT2Translator.v1", func=CT2Translator)
