"""A faithful re-implementation of how TransAlign's ``align.py`` runs, as the speed baseline.

Same steps, same order: both tokenizers pre-tokenise the whole corpus for the subword->word
maps; sentence pairs go through the encoder in batches of 100 *in input order*, padded to the
batch's longest sentence, with all hidden states returned; layer ``layer`` is sliced ``[:, 1:-1]``;
then for every pair a softmax in both directions and a Python loop over every cell of the
matrix collects the word links. Written from the published algorithm, not copied.
"""
from typing import List, Sequence, Set, Tuple

import torch
from transformers import AutoConfig, AutoModel, AutoTokenizer


class ReferenceTransAlign:
    def __init__(self, model: str, layer: int, src_lang: str, tgt_lang: str, threshold: float = 1e-3):
        config = AutoConfig.from_pretrained(model, output_hidden_states=True)
        full = AutoModel.from_pretrained(model, config=config)
        self.encoder = full.get_encoder().eval() if hasattr(full, "get_encoder") else full.eval()
        self.tok_src = AutoTokenizer.from_pretrained(model, src_lang=src_lang, add_prefix_space=True)
        self.tok_tgt = AutoTokenizer.from_pretrained(model, src_lang=tgt_lang, add_prefix_space=True)
        self.layer = layer
        self.threshold = threshold

    def _hidden(self, tok, batch: List[List[str]]):
        with torch.no_grad():
            inputs = tok(batch, is_split_into_words=True, padding=True, truncation=True, return_tensors="pt")
            return self.encoder(**inputs)["hidden_states"]

    def align(self, src: Sequence[Sequence[str]], tgt: Sequence[Sequence[str]], batch_size: int = 100) -> List[Set[Tuple[int, int]]]:
        enc_src = self.tok_src([list(s) for s in src], is_split_into_words=True, add_special_tokens=False, padding=False)
        enc_tgt = self.tok_tgt([list(t) for t in tgt], is_split_into_words=True, add_special_tokens=False, padding=False)
        lengths = [(len(enc_src["input_ids"][k]), len(enc_tgt["input_ids"][k])) for k in range(len(src))]
        maps = [(enc_src.word_ids(k), enc_tgt.word_ids(k)) for k in range(len(src))]
        out: List[Set[Tuple[int, int]]] = []
        for start in range(0, len(src), batch_size):
            ids = list(range(start, min(start + batch_size, len(src))))
            hs = self._hidden(self.tok_src, [list(src[k]) for k in ids])[self.layer][:, 1:-1, :]
            ht = self._hidden(self.tok_tgt, [list(tgt[k]) for k in ids])[self.layer][:, 1:-1, :]
            for row, k in enumerate(ids):
                x = hs[row, : lengths[k][0]]
                y = ht[row, : lengths[k][1]]
                sim = torch.matmul(x, y.T)
                matrix = (torch.softmax(sim, dim=1) > self.threshold) * (torch.softmax(sim, dim=0) > self.threshold)
                links = set()
                for i in range(matrix.shape[0]):
                    for j in range(matrix.shape[1]):
                        if matrix[i, j] > 0:
                            links.add((maps[k][0][i], maps[k][1][j]))
                out.append(links)
        return out
