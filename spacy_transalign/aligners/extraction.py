"""Link extraction from subword similarity matrices, vectorised over a padded batch.

Every function takes ``sim`` of shape ``[B, M, N]`` (source x target subwords) and boolean masks
``src_valid [B, M]`` / ``tgt_valid [B, N]`` marking real subwords, and returns boolean links of
the same shape. Padding never wins a softmax or an argmax, so each sentence gets exactly the
links it would get alone.
"""
from __future__ import annotations

from typing import Literal, Tuple

import torch

Method = Literal["softmax", "argmax", "itermax"]

NEG_INF = float("-inf")


def _masked(sim: torch.Tensor, src_valid: torch.Tensor, tgt_valid: torch.Tensor, fill: float = NEG_INF):
    """Rows masked for the column-wise view, columns masked for the row-wise view."""
    by_row = sim.masked_fill(~tgt_valid[:, None, :], fill)  # softmax/argmax over targets j
    by_col = sim.masked_fill(~src_valid[:, :, None], fill)  # softmax/argmax over sources i
    return by_row, by_col


def bidirectional_probs(sim, src_valid, tgt_valid) -> Tuple[torch.Tensor, torch.Tensor]:
    """``P(j|i)`` (softmax over targets) and ``P(i|j)`` (softmax over sources)."""
    by_row, by_col = _masked(sim, src_valid, tgt_valid)
    return torch.softmax(by_row, dim=2), torch.softmax(by_col, dim=1)


def softmax_links(sim, src_valid, tgt_valid, threshold: float, probs=None) -> torch.Tensor:
    """TransAlign's rule: keep (i, j) when both directional probabilities exceed the threshold.

    ``probs``: ``bidirectional_probs(sim, ...)`` when the caller already has them.
    """
    forward, backward = probs if probs is not None else bidirectional_probs(sim, src_valid, tgt_valid)
    valid = src_valid[:, :, None] & tgt_valid[:, None, :]
    return (forward > threshold) & (backward > threshold) & valid


def _mutual_argmax(sim, src_valid, tgt_valid) -> torch.Tensor:
    by_row, by_col = _masked(sim, src_valid, tgt_valid)
    best_j = by_row.argmax(dim=2)  # [B, M]
    best_i = by_col.argmax(dim=1)  # [B, N]
    m_idx = torch.arange(sim.shape[1], device=sim.device)
    n_idx = torch.arange(sim.shape[2], device=sim.device)
    forward = best_j[:, :, None] == n_idx[None, None, :]
    backward = best_i[:, None, :] == m_idx[None, :, None]
    return forward & backward & src_valid[:, :, None] & tgt_valid[:, None, :]


def argmax_links(sim, src_valid, tgt_valid) -> torch.Tensor:
    """SimAlign's ArgMax: (i, j) is each other's best match in both directions."""
    return _mutual_argmax(sim, src_valid, tgt_valid)


def itermax_links(sim, src_valid, tgt_valid, max_count: int = 2, alpha_ratio: float = 0.9) -> torch.Tensor:
    """SimAlign's IterMax over ``sim`` in [0, 1] (we pass ``(cosine + 1) / 2``), batched.

    Follows SimAlign's reference loop: after the mutual argmax, unaligned rows/columns get a
    second chance on a similarity damped by ``alpha_ratio``; sentences with a side of <= 2
    subwords, or with a side fully aligned, stop early.
    """
    inter = _mutual_argmax(sim, src_valid, tgt_valid).to(sim.dtype)
    m_len = src_valid.sum(1)
    n_len = tgt_valid.sum(1)
    active = torch.minimum(m_len, n_len) > 2  # [B]
    valid = src_valid[:, :, None] & tgt_valid[:, None, :]
    for _ in range(max_count - 1):
        row_free = 1.0 - inter.sum(2, keepdim=True).clamp(0.0, 1.0)  # [B, M, 1]
        col_free = 1.0 - inter.sum(1, keepdim=True).clamp(0.0, 1.0)  # [B, 1, N]
        mask = (alpha_ratio * row_free + alpha_ratio * col_free).clamp(0.0, 1.0)
        mask_zeros = 1.0 - (1.0 - row_free) * (1.0 - col_free)
        # SimAlign zeroes the masks when one side has no free subword left
        rows_left = (row_free.squeeze(2) * src_valid).sum(1) >= 1.0
        cols_left = (col_free.squeeze(1) * tgt_valid).sum(1) >= 1.0
        keep = (rows_left & cols_left & active).to(sim.dtype)[:, None, None]
        mask = mask * keep
        mask_zeros = mask_zeros * keep
        new_sim = sim * mask
        new_links = _mutual_argmax(new_sim, src_valid, tgt_valid).to(sim.dtype)
        new_inter = new_links * mask_zeros * valid
        inter = inter + new_inter
    return inter > 0


def extract(
    method: Method, sim: torch.Tensor, src_valid: torch.Tensor, tgt_valid: torch.Tensor, threshold: float
) -> torch.Tensor:
    if method == "softmax":
        return softmax_links(sim, src_valid, tgt_valid, threshold)
    if method == "argmax":
        return argmax_links(sim, src_valid, tgt_valid)
    if method == "itermax":
        return itermax_links(sim, src_valid, tgt_valid)
    raise ValueError(f"Unknown extraction method {method!r}; use softmax, argmax or itermax")
