"""Generated sample reports -> ingest -> facts: the ground truth comes back, value and page."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from domainsft.config import FactsConfig
from domainsft.facts.pipeline import extract
from domainsft.ingest.pipeline import ingest
from tests.facts.conftest import ingest_config, recall


def _facts(reports: Path, tmp: Path, ocr: str):
    result = ingest([reports], ingest_config(tmp / "corpus", ocr))
    assert result.rejects == []
    return extract(tmp / "corpus", FactsConfig(out=tmp / "facts.jsonl"))


@pytest.fixture(scope="module")
def text_layer(sample_reports, tmp_path_factory):
    """Scanned pages are left unread (no OCR): the fast path."""
    return _facts(sample_reports["out"], tmp_path_factory.mktemp("text_layer"), "never")


def test_recall_on_pages_with_a_text_layer(sample_reports, text_layer) -> None:
    truth = [t for t in sample_reports["truth"] if not t["scanned"]]
    share, missed = recall(truth, text_layer.facts)
    assert share >= 0.99, Counter((t["section"], t["metric"]) for t in missed).most_common(10)


def test_every_section_and_language_is_read(sample_reports, text_layer) -> None:
    truth = [t for t in sample_reports["truth"] if not t["scanned"]]
    _, missed = recall(truth, text_layer.facts)
    for key in {(t["section"], t["lang"]) for t in truth}:
        total = sum((t["section"], t["lang"]) == key for t in truth)
        lost = sum((t["section"], t["lang"]) == key for t in missed)
        assert lost <= max(1, total // 50), key


def test_identity_matches_the_truth(sample_reports, text_layer) -> None:
    expected = {(t["doc"], t["company"], t["stock_code"], t["fiscal_year"])
                for t in sample_reports["truth"] if t["metric"] == "company_name"}  # fmt: skip
    got = {(Path(f.source).name, f.company, f.stock_code, f.report_year) for f in text_layer.facts}
    assert expected <= got


def test_outputs_beside_facts_jsonl(text_layer, tmp_path_factory) -> None:
    stats = text_layer.stats
    assert stats["documents"] == 8 and stats["facts"] == len(text_layer.facts)
    assert stats["facts_by_statement"]["key_figures"] > 0
    assert all(f.confidence > 0 and f.page >= 1 for f in text_layer.facts)


def test_recall_with_ocr_of_scanned_pages(sample_reports, tmp_path) -> None:
    result = _facts(sample_reports["out"], tmp_path, "auto")
    share, missed = recall(sample_reports["truth"], result.facts)
    assert share >= 0.99, Counter((t["section"], t["metric"]) for t in missed).most_common(10)
    scanned = [t for t in sample_reports["truth"] if t["scanned"]]
    assert scanned and recall(scanned, result.facts)[0] >= 0.95
