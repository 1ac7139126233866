"""Build small NLLB- and XLM-R-architecture models locally, for tests, benchmarks and offline smoke runs.

Real weights cannot be downloaded everywhere (CI has no model hub); a sentencepiece model
trained on a few hundred lines and a randomly initialised ``M2M100`` network exercise exactly
the code paths a real NLLB checkpoint does: same classes, same tokenizer, same language tags.
"""
from __future__ import annotations

import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator, Optional, Union

LANG_CODES = ("eng_Latn", "fra_Latn", "spa_Latn", "ron_Latn", "bam_Latn", "deu_Latn", "cat_Latn")


@contextmanager
def _sentencepiece(corpus: Iterable[str], vocab_size: int) -> Iterator[str]:
    """A sentencepiece model trained on ``corpus`` (<unk>=0, <s>=1, </s>=2, as NLLB's and XLM-R's
    own), as the path of its .model file inside a folder that is removed afterwards."""
    import sentencepiece as spm

    lines = [line.strip() for line in corpus if line.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        prefix = str(Path(tmp) / "sp")
        spm.SentencePieceTrainer.train(
            sentence_iterator=iter(lines), model_prefix=prefix, vocab_size=vocab_size, hard_vocab_limit=False,
            character_coverage=1.0, minloglevel=2,
        )
        yield prefix + ".model"


def build_nllb_like(
    path: Union[str, Path],
    corpus: Iterable[str],
    *,
    vocab_size: int = 1000,
    d_model: int = 32,
    layers: int = 2,
    decoder_layers: Optional[int] = None,
    heads: int = 2,
    ffn_dim: int = 64,
    max_positions: int = 256,
    init_std: float = 0.5,
    seed: int = 0,
    model_vocab_size: Optional[int] = None,
) -> Path:
    """Train a sentencepiece vocabulary on ``corpus`` and save tokenizer + random model to ``path``.

    ``init_std`` is far above a trained model's 0.02 so that even a random network's output
    depends on its input (with tiny weights every sentence "translates" to the same tokens).
    ``model_vocab_size`` (e.g. NLLB's 256,206) gives the model a real model's embedding and
    output layer: the rows past the tokenizer's vocabulary are zero, so their logit is 0 and
    greedy decoding keeps to tokens the tokenizer can decode, at the real model's cost.
    """
    import torch
    from transformers import M2M100Config, M2M100ForConditionalGeneration, NllbTokenizerFast

    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    with _sentencepiece(corpus, vocab_size) as vocab_file:  # NLLB's layout: the tokenizer adds <pad>
        tokenizer = NllbTokenizerFast(
            vocab_file=vocab_file, additional_special_tokens=list(LANG_CODES), model_max_length=max_positions
        )
        tokenizer.save_pretrained(path)
    config = M2M100Config(
        vocab_size=max(len(tokenizer), model_vocab_size or 0),
        d_model=d_model,
        encoder_layers=layers,
        decoder_layers=layers if decoder_layers is None else decoder_layers,
        encoder_attention_heads=heads,
        decoder_attention_heads=heads,
        encoder_ffn_dim=ffn_dim,
        decoder_ffn_dim=ffn_dim,
        max_position_embeddings=max_positions,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        decoder_start_token_id=tokenizer.eos_token_id,
        scale_embedding=True,
        init_std=init_std,
    )
    torch.manual_seed(seed)
    model = M2M100ForConditionalGeneration(config)
    with torch.no_grad():
        model.get_input_embeddings().weight[len(tokenizer):] = 0  # tied to the output layer
    model.save_pretrained(path)
    return path


def build_xlmr_like(
    path: Union[str, Path],
    corpus: Iterable[str],
    *,
    vocab_size: int = 1000,
    hidden_size: int = 32,
    layers: int = 2,
    heads: int = 2,
    intermediate_size: int = 64,
    max_positions: int = 514,
    seed: int = 0,
) -> Path:
    """A tiny XLM-RoBERTa-architecture encoder: sentencepiece vocabulary trained on ``corpus``,
    random weights, saved with ``save_pretrained`` so that spacy-transformers loads it by path
    (``[components.transformer.model] name = "<path>"``) exactly as it loads xlm-roberta-base."""
    import torch
    from transformers import XLMRobertaConfig, XLMRobertaModel, XLMRobertaTokenizerFast

    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    with _sentencepiece(corpus, vocab_size) as vocab_file:
        tokenizer = XLMRobertaTokenizerFast(vocab_file=vocab_file, model_max_length=max_positions - 2)
        tokenizer.save_pretrained(path)
    config = XLMRobertaConfig(
        vocab_size=len(tokenizer), hidden_size=hidden_size, num_hidden_layers=layers, num_attention_heads=heads,
        intermediate_size=intermediate_size, max_position_embeddings=max_positions, pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id, type_vocab_size=1,
    )
    torch.manual_seed(seed)
    XLMRobertaModel(config).save_pretrained(path)
    return path


def build_lora_adapter(model_path: Union[str, Path], path: Union[str, Path], *, rank: int = 4, seed: int = 0) -> Path:
    """A peft LoRA adapter for the encoder of a seq2seq model, with non-zero weights (peft's default
    initialisation is a no-op adapter), for ``EncoderAligner(lora_path=...)``."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModel

    torch.manual_seed(seed)
    encoder = AutoModel.from_pretrained(str(model_path)).get_encoder()
    adapter = get_peft_model(encoder, LoraConfig(r=rank, target_modules=["q_proj", "v_proj"], init_lora_weights=False))
    adapter.save_pretrained(str(path))
    return Path(path)
