"""The on-disk index cache: written on first open, read on the next, replaced when pages change."""

from __future__ import annotations

import json
import logging

import pytest

from domainsft.retrieval import PageIndex
from domainsft.retrieval import index as index_module
from tests.retrieval.conftest import page, write_corpus


def _no_tokenising(monkeypatch):
    def refuse(_page):
        raise AssertionError("tokenised although the cache matches")

    monkeypatch.setattr(index_module, "page_tokens", refuse)


def test_second_open_reads_the_cache_instead_of_tokenising(tmp_path, bilingual, monkeypatch):
    corpus = write_corpus(tmp_path / "c", bilingual)
    first = PageIndex.open(corpus)
    (cached,) = (corpus / "retrieval").glob("index-*.npz")
    _no_tokenising(monkeypatch)
    second = PageIndex.open(corpus / "pages.jsonl")
    question = "经营活动产生的现金流量净额"
    assert second.search(question, 3) == first.search(question, 3)
    assert list((corpus / "retrieval").glob("index-*.npz")) == [cached]


def test_edited_pages_get_a_new_cache_and_the_stale_one_goes(tmp_path, bilingual):
    corpus = write_corpus(tmp_path / "c", bilingual)
    PageIndex.open(corpus)
    (old,) = (corpus / "retrieval").glob("index-*.npz")
    with (corpus / "pages.jsonl").open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(page(5, "Dividend per share 0.27").to_dict()) + "\n")
    index = PageIndex.open(corpus)
    assert index.search("dividend per share", 1)[0].page == 5
    (new,) = (corpus / "retrieval").glob("index-*.npz")
    assert new != old


def test_an_unreadable_cache_is_rebuilt_with_a_warning(tmp_path, bilingual, caplog):
    corpus = write_corpus(tmp_path / "c", bilingual)
    PageIndex.open(corpus)
    (cached,) = (corpus / "retrieval").glob("index-*.npz")
    cached.write_bytes(b"not a zip file")
    with caplog.at_level(logging.WARNING):
        index = PageIndex.open(corpus)
    assert "unreadable retrieval cache" in caplog.text
    assert index.search("资产总计", 1)[0].page == 3
    assert cached.read_bytes()[:2] == b"PK"  # written again


def test_a_folder_that_cannot_hold_the_cache_only_costs_a_warning(tmp_path, bilingual, caplog):
    corpus = write_corpus(tmp_path / "c", bilingual)
    (corpus / "retrieval").write_text("a file where the cache folder would go")
    with caplog.at_level(logging.WARNING):
        index = PageIndex.open(corpus)
    assert "cannot write the retrieval cache" in caplog.text
    assert index.search("资产总计", 1)[0].page == 3


def test_without_the_cache_nothing_is_written(tmp_path, bilingual):
    corpus = write_corpus(tmp_path / "c", bilingual)
    assert PageIndex.open(corpus, use_cache=False).search("资产总计", 1)[0].page == 3
    assert not (corpus / "retrieval").exists()


def test_a_missing_pages_file_names_the_command_that_writes_it(tmp_path):
    from domainsft.utils.jsonl import InputError

    with pytest.raises(InputError, match="no pages file"):
        PageIndex.open(tmp_path)
