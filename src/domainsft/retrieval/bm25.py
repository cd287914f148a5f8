"""Okapi BM25 over token-id lists, built by **bm25s** (Lù, 2024, "BM25S: Orders of magnitude faster
lexical search via eager sparse scoring", arXiv:2407.03618).

bm25s computes every (token, text) BM25 weight once, when the index is built, into a sparse
token-major matrix (``data``, ``indices``, ``indptr``: the texts holding token ``t`` and their
weights are ``indices[indptr[t]:indptr[t+1]]``, ``data[...]``). A query's scores are then sums
of matrix rows, and the matrix can be saved and loaded as three arrays. The Lucene variant with
the usual k1=1.5, b=0.75 is used (Robertson & Zaragoza, 2009, "The Probabilistic Relevance
Framework: BM25 and Beyond"): its idf, log(1 + (N - df + 0.5) / (df + 0.5)), stays positive
even for a word found in most texts.

Done here rather than in bm25s: query tokens carry weights (``token_scores`` gives one row per
query token; the caller weighs them), and ranking is deterministic: higher score first, then
the earlier text (numpy's partial sort leaves ties in any order).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

K1, B = 1.5, 0.75


@dataclass(frozen=True)
class Bm25:
    """BM25 weights of a vocabulary of ``vocab_size`` token ids over ``size`` texts."""

    data: np.ndarray  # float32 weights
    indices: np.ndarray  # text of each weight
    indptr: np.ndarray  # token id t's weights are data[indptr[t]:indptr[t + 1]]
    size: int

    @classmethod
    def build(
        cls, docs: Sequence[Sequence[int]], vocab_size: int, k1: float = K1, b: float = B
    ) -> Bm25:
        """The index of ``docs``, each a list of token ids below ``vocab_size``."""
        import bm25s

        if not docs:
            return cls(np.zeros(0, np.float32), np.zeros(0, np.int32), np.zeros(1, np.int64), 0)
        model = bm25s.BM25(k1=k1, b=b, method="lucene")
        matrix = model.build_index_from_ids(
            unique_token_ids=list(range(vocab_size)),
            corpus_token_ids=[d.tolist() if isinstance(d, np.ndarray) else list(d) for d in docs],
            show_progress=False,
        )
        return cls(matrix["data"], matrix["indices"], matrix["indptr"], len(docs))

    def token_scores(self, token_ids: Sequence[int | None]) -> np.ndarray:
        """``(len(token_ids), size)``: row ``i`` holds each text's BM25 weight of
        ``token_ids[i]`` (0 where the text lacks it, and for a None or unknown id)."""
        out = np.zeros((len(token_ids), self.size), dtype=np.float64)
        last = len(self.indptr) - 1
        for i, tid in enumerate(token_ids):
            if tid is None or not 0 <= tid < last:
                continue
            start, end = self.indptr[tid], self.indptr[tid + 1]
            # One entry per (token, text), so plain assignment is exact.
            out[i, self.indices[start:end]] = self.data[start:end]
        return out

    def scores(self, query: Mapping[int, float]) -> np.ndarray:
        """One score per text: the sum over query token ids of weight x BM25 weight."""
        weights = np.fromiter(query.values(), dtype=np.float64, count=len(query))
        return weights @ self.token_scores(list(query))


def best(scores: np.ndarray, k: int) -> list[int]:
    """Positions of the ``k`` highest scores, highest first; ties keep the earlier position."""
    # lexsort sorts by the last key first: score descending, then position ascending.
    return [int(i) for i in np.lexsort((np.arange(len(scores)), -scores))[:k]]
