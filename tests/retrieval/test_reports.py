"""ReportPages: named reports for the ERC suite, on top of the kernel."""

from __future__ import annotations

import pytest

from domainsft.records import Page
from domainsft.retrieval import ReportPages
from domainsft.utils.jsonl import InputError
from tests.retrieval.conftest import EN_PAGES, write_corpus


def test_retrieve_ranks_then_fills_the_k_places_with_the_first_other_pages():
    corpus = ReportPages({"r": "d"}, {"d": {i + 1: t for i, t in enumerate(EN_PAGES)}})
    assert corpus.retrieve("d", "mergers or acquisitions", 3) == [3, 1, 2]
    assert corpus.retrieve("d", "cash flow from operations", 1) == [2]


def test_load_names_reports_by_the_source_ingest_recorded(tmp_path):
    pages = [Page(doc_id="e" * 64, source="in/abc123.pdf", page=i + 1, text=t, lang="en")
             for i, t in enumerate(EN_PAGES)]  # fmt: skip
    folder = write_corpus(tmp_path / "run", pages)
    corpus = ReportPages.load(folder, ["abc123"], tmp_path / "no-pdfs", hint="ingest first")
    assert corpus.doc_ids == {"abc123": "e" * 64}
    assert corpus.texts["e" * 64][2] == EN_PAGES[1]
    assert corpus.retrieve("e" * 64, "cash flow from operations", 1) == [2]


def test_load_errors_name_the_file_the_report_and_the_fix(tmp_path):
    with pytest.raises(InputError, match=r"no such pages file; ingest first"):
        ReportPages.load(tmp_path / "none", ["abc"], tmp_path, hint="ingest first")
    folder = write_corpus(tmp_path / "run", [Page("f" * 64, "x.pdf", 1, "text")])
    with pytest.raises(InputError, match=r"holds no pages of report\(s\) abc\.pdf; ingest first"):
        ReportPages.load(folder, ["abc"], tmp_path, hint="ingest first")
