"""Choosing the top k pages when a question asks for several things at once.

"应收账款、营业成本和研发费用分别是多少" names three metrics; plain BM25 fills the top 3 with the
pages that print the most of them, often three pages about one metric. Here the pages are
chosen one at a time: after each choice, the aspects (concept tokens) the chosen page already
holds stop counting until every aspect is held by some chosen page; then the remaining places
go by plain score again. With one aspect (or none) this is exactly the plain top k. This is the
greedy form of coverage-based result diversification (Carbonell & Goldstein, 1998, "The use of
MMR, diversity-based reranking"; Santos et al., 2015, "Search result diversification").
"""

from __future__ import annotations

import numpy as np

from domainsft.retrieval.bm25 import best


def select(
    token_scores: np.ndarray, weights: np.ndarray, aspects: np.ndarray, k: int
) -> list[tuple[int, float]]:
    """``(column, score)`` of up to ``k`` columns of ``token_scores`` (tokens x pages), in the
    order chosen; ``score`` is the page's full weighted score. ``aspects`` marks the rows that
    are aspects of the question. Equal gains go to the earlier column."""
    full = weights @ token_scores
    n = token_scores.shape[1]
    if int(aspects.sum()) < 2:
        return [(j, float(full[j])) for j in best(full, min(k, n))]
    held = np.zeros_like(aspects)
    chosen: list[int] = []
    for _ in range(min(k, n)):
        active = weights if held[aspects].all() else np.where(held, 0.0, weights)
        gain = active @ token_scores
        gain[chosen] = -np.inf
        j = best(gain, 1)[0]
        chosen.append(j)
        held |= aspects & (token_scores[:, j] > 0)
    return [(j, float(full[j])) for j in chosen]
