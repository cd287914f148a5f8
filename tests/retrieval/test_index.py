"""PageIndex: scoped search over Chinese and English reports, ignore phrases, rank order."""

from __future__ import annotations

import pytest

from domainsft.retrieval import Hit, PageIndex
from domainsft.utils.jsonl import InputError
from tests.retrieval.conftest import DOC_A, DOC_B, page


def test_search_is_scoped_to_the_documents_asked_about(bilingual):
    index = PageIndex(bilingual)
    hits = index.search("经营活动产生的现金流量净额是多少？", 3, docs=[DOC_B])
    assert hits[0] == Hit(DOC_B, 4, hits[0].score) and hits[0].score > 0
    assert {h.doc_id for h in hits} == {DOC_B}
    english = index.search("net cash provided by operating activities", 3, docs=[DOC_A])
    assert [h.page for h in english][:1] == [2] and {h.doc_id for h in english} == {DOC_A}


def test_unscoped_search_ranks_every_document_and_a_page_sharing_nothing_never_comes(bilingual):
    index = PageIndex(bilingual)
    hits = index.search("资产总计", 10)
    assert hits[0].doc_id == DOC_B and hits[0].page == 3
    assert all(h.score > 0 for h in hits) and len(hits) < len(bilingual)


def test_expansion_follows_the_languages_of_the_pages_searched(bilingual):
    index = PageIndex(bilingual)
    assert "经营" not in index.query("operating cash flow", [DOC_A]).weights
    assert "经营" in index.query("operating cash flow", [DOC_B]).weights


def test_a_question_naming_two_metrics_gets_the_page_of_each():
    pages = [
        page(1, "营业收入 100 90\n营业收入同比增长 11.1%\n营业收入 100", lang="zh"),
        page(2, "营业收入 100 90", lang="zh"),
        page(3, "资产总计 500 450\n" + "其他说明 " * 30, lang="zh"),
    ]
    hits = PageIndex(pages).search("营业收入和资产总计分别是多少？", 2)
    assert sorted(h.page for h in hits) == [1, 3]


def test_ignored_phrases_leave_the_query_before_it_is_searched():
    pages = [
        page(1, "Marlow Bay Analytics plc\nAnnual Report 2023"),
        page(2, "Balance sheet\nTotal assets 4,425.5 3,899.1\nTotal equity 3,643.7 3,290.3"),
    ]
    index = PageIndex(pages)
    question = "Which key figures does Marlow Bay Analytics plc give?"
    assert index.search(question, 1)[0].page == 1
    assert index.search(question, 1, ignore=["Marlow Bay Analytics plc"]) == []


def test_one_index_per_document_is_the_measured_alternative(bilingual):
    index = PageIndex(bilingual, per_document=True)
    assert index.search("资产总计", 1, docs=[DOC_B])[0].page == 3


def test_bad_scope_k_and_page_are_named():
    index = PageIndex([page(1, "Total assets 1")])
    with pytest.raises(InputError, match=r"bbbbbbbbbbbb are not in the corpus .*domainsft ingest"):
        index.search("assets", 3, docs=[DOC_B])
    with pytest.raises(ValueError, match="k must be >= 1"):
        index.search("assets", 0)
    with pytest.raises(InputError, match="page 7 of document aaaaaaaaaaaa"):
        index.page(DOC_A, 7)
    assert index.page(DOC_A, 1).text == "Total assets 1"


def test_the_page_that_shares_the_rare_words_ranks_first():
    """What eval's own BM25 was held to before it moved here: the same pages, the same
    rankings (its CJK unigram tokens gave way to jieba words, see test_tokenize.py)."""
    pages = [page(i + 1, t) for i, t in enumerate([
        "Report of the directors. The company is a leading provider.",
        "Net cash provided by operating activities was $406.1 million.",
        "The company acquired two businesses during the year (acquisitions).",
    ])]  # fmt: skip
    index = PageIndex(pages)
    assert [h.page for h in index.search("cash flow from operations", 1)] == [2]
    assert [h.page for h in index.search("mergers or acquisitions", 1)] == [3]
