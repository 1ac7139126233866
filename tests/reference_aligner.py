"""The straightforward per-sentence TransAlign rule, kept deliberately naive as a test oracle.

One sentence at a time, full ``hidden_states``, ``[1:-1]`` to drop the language tag and
``</s>`` (as TransAlign's script does), and a Python loop over every cell of the matrix.
"""
from typing import List, Sequence, Set, Tuple

import numpy as np
import torch
from transformers import AutoConfig, AutoModel, AutoTokenizer


class ReferenceAligner:
    def __init__(self, model: str, layer: int, src_lang: str, tgt_lang: str):
        config = AutoConfig.from_pretrained(model, output_hidden_states=True)
        self.encoder = AutoModel.from_pretrained(model, config=config).get_encoder().eval()
        self.tok_src = AutoTokenizer.from_pretrained(model, src_lang=src_lang)
        self.tok_tgt = AutoTokenizer.from_pretrained(model, src_lang=tgt_lang)
        self.layer = layer

    @torch.no_grad()
    def _embed(self, tok, words: Sequence[str]):
        enc = tok(list(words), is_split_into_words=True, return_tensors="pt")
        hidden = self.encoder(**enc)["hidden_states"][self.layer][0, 1:-1]
        return hidden, enc.word_ids()[1:-1]

    def align(self, src: Sequence[str], tgt: Sequence[str], method: str = "softmax", threshold: float = 1e-3) -> Set[Tuple[int, int]]:
        if not src or not tgt:
            return set()
        x, src_words = self._embed(self.tok_src, src)
        y, tgt_words = self._embed(self.tok_tgt, tgt)
        sim = x @ y.T
        if method == "softmax":
            matrix = (torch.softmax(sim, dim=1) > threshold) * (torch.softmax(sim, dim=0) > threshold)
        elif method == "argmax":
            m, n = sim.shape
            forward = torch.eye(n)[sim.argmax(dim=1)]
            backward = torch.eye(m)[sim.argmax(dim=0)]
            matrix = forward * backward.T
        elif method == "itermax":
            cosine = (x / x.norm(dim=1, keepdim=True)) @ (y / y.norm(dim=1, keepdim=True)).T
            matrix = torch.from_numpy(simalign_iter_max(((cosine + 1.0) / 2.0).numpy()))
        else:
            raise ValueError(method)
        links = set()
        cells = matrix.tolist()
        for i in range(len(cells)):
            for j in range(len(cells[i])):
                if cells[i][j] > 0:
                    links.add((src_words[i], tgt_words[j]))
        return links

    def align_all(self, pairs, method="softmax", threshold=1e-3) -> List[Set[Tuple[int, int]]]:
        return [self.align(s, t, method, threshold) for s, t in pairs]


def simalign_iter_max(sim_matrix: np.ndarray, max_count: int = 2) -> np.ndarray:
    """SimAlign's ``iter_max`` as published (cisnlp/simalign), for one sentence pair."""
    alpha_ratio = 0.9
    m, n = sim_matrix.shape
    forward = np.eye(n)[sim_matrix.argmax(axis=1)]  # m x n
    backward = np.eye(m)[sim_matrix.argmax(axis=0)]  # n x m
    inter = forward * backward.transpose()
    if min(m, n) <= 2:
        return inter
    count = 1
    while count < max_count:
        mask_x = 1.0 - np.tile(inter.sum(1)[:, np.newaxis], (1, n)).clip(0.0, 1.0)
        mask_y = 1.0 - np.tile(inter.sum(0)[np.newaxis, :], (m, 1)).clip(0.0, 1.0)
        mask = ((alpha_ratio * mask_x) + (alpha_ratio * mask_y)).clip(0.0, 1.0)
        mask_zeros = 1.0 - ((1.0 - mask_x) * (1.0 - mask_y))
        if mask_x.sum() < 1.0 or mask_y.sum() < 1.0:
            mask *= 0.0
            mask_zeros *= 0.0
        new_sim = sim_matrix * mask
        fwd = np.eye(n)[new_sim.argmax(axis=1)] * mask_zeros
        bac = np.eye(m)[new_sim.argmax(axis=0)].transpose() * mask_zeros
        new_inter = fwd * bac
        if np.array_equal(inter + new_inter, inter):
            break
        inter = inter + new_inter
        count += 1
    return inter
