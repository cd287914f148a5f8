"""BM25 (bm25s underneath), deterministic ranking and the coverage rule for several metrics."""

from __future__ import annotations

import numpy as np

from domainsft.retrieval import PageIndex
from domainsft.retrieval.bm25 import Bm25, best
from domainsft.retrieval.rank import select
from tests.retrieval.conftest import EN_PAGES, page


def test_the_page_that_answers_ranks_first_even_in_other_words():
    index = PageIndex([page(i + 1, t) for i, t in enumerate(EN_PAGES)])
    assert [h.page for h in index.search("cash flow from operations", 1)] == [2]
    assert [h.page for h in index.search("mergers or acquisitions", 1)] == [3]


def test_without_expansion_the_paraphrase_loses_to_the_page_sharing_its_words():
    # Page 4 ("Cash flow hedges ... operations") shares every word of the question; only the
    # domain pack's labels of the metric say that page 2 is the one that prints it.
    plain = PageIndex([page(i + 1, t) for i, t in enumerate(EN_PAGES)], weights=None)
    assert [h.page for h in plain.search("cash flow from operations", 1)] == [4]


def test_bm25_weights_rare_words_more_and_scores_absent_tokens_zero():
    index = Bm25.build([[0, 1], [0, 2], [0, 2, 2]], vocab_size=4)
    rows = index.token_scores([0, 1, 3, None, 99])
    assert rows.shape == (5, 3)
    assert (rows[0] > 0).all() and rows[1, 0] > rows[0, 0]  # token 1 is in one text only
    assert not rows[2:].any()
    assert index.scores({1: 1.0, 2: 0.5})[0] == rows[1, 0]


def test_equal_scores_keep_the_earlier_text_first():
    assert best(np.array([1.0, 3.0, 1.0, 3.0]), 4) == [1, 3, 0, 2]
    twins = PageIndex([page(n, "Total assets 1,000") for n in (1, 2, 3)])
    assert [h.page for h in twins.search("total assets", 3)] == [1, 2, 3]


def test_several_aspects_are_each_covered_before_a_second_page_of_one():
    # tokens x pages: aspect 0 is strong on pages 0 and 1, aspect 1 is only on page 2.
    scores = np.array([[3.0, 2.9, 0.0], [0.0, 0.0, 1.0]])
    weights = np.ones(2)
    assert [j for j, _ in select(scores, weights, np.array([False, False]), 2)] == [0, 1]
    assert [j for j, _ in select(scores, weights, np.array([True, True]), 2)] == [0, 2]
    # Once every aspect is held, the rest go by plain score again.
    assert [j for j, _ in select(scores, weights, np.array([True, True]), 3)] == [0, 2, 1]
