"""Natural questions about the real reports in ../shared/data resolve to the right report: the
three Chinese annual reports and two 10-Ks, ingested and their facts extracted in the test."""

from __future__ import annotations

from pathlib import Path

import pytest

from domainsft.assistant.answerable import unanswerable
from domainsft.assistant.directory import Directory
from domainsft.assistant.understand import understand
from domainsft.config import FactsConfig, IngestConfig
from domainsft.corpus import document_id
from tests.conftest import shared_or_skip

ZH = ("cn_603339_sifang_2019_annual_report.pdf", "cn_600201_jinyu_2020_annual_report.pdf",
      "cn_000001_pingan_bank_2024_annual_report.pdf")  # fmt: skip
EN = ("3M_2018_10K.pdf", "ADOBE_2015_10K.pdf")


@pytest.fixture(scope="module")
def real(tmp_path_factory) -> tuple[Directory, dict[str, str]]:
    from domainsft.facts import extract
    from domainsft.ingest.pipeline import ingest

    files = [shared_or_skip("reports", "zh", n) for n in ZH]
    files += [shared_or_skip("reports", "en", "financebench", n) for n in EN]
    out = tmp_path_factory.mktemp("real_questions")
    # Identity facts come from text pages; OCR would only slow the test down.
    ingest(files, IngestConfig(out=out, workers=2, ocr="never"))
    extract(out, FactsConfig(out=out / "facts.jsonl"))
    return Directory.from_corpus(out), {Path(f).name: document_id(f) for f in files}


@pytest.mark.slow
@pytest.mark.parametrize(
    "question, pdf, year, metric, operation",
    [
        ("四方科技2019年的营业收入是多少？", ZH[0], 2019, "revenue", "lookup"),
        ("金宇生物2020年归母净利润是多少？", ZH[1], 2020, "net_profit_attributable", "lookup"),
        ("生物股份2020年的研发费用是多少？", ZH[1], 2020, "rd_expenses", "lookup"),  # 简称
        ("平安银行2024年的净利润同比增长多少？", ZH[2], 2024, "net_profit", "yoy"),
        ("000001近三年的不良贷款率", ZH[2], 2024, "npl_ratio", "trend"),
        ("What was 3M's total revenue in FY2018?", EN[0], 2018, "revenue", "lookup"),
        ("What were Adobe Systems' total assets at the end of fiscal 2015?", EN[1], 2015,
         "total_assets", "lookup"),
    ],
)  # fmt: skip
def test_natural_questions_find_their_report(real, question, pdf, year, metric, operation):
    directory, doc_ids = real
    query = understand(question, directory)
    assert len(query.companies) == 1 and query.unknown_company is None
    assert doc_ids[pdf] in query.companies[0].doc_ids[year]
    assert (query.metrics, query.operation) == ([metric], operation)
    assert unanswerable(query) is None


@pytest.mark.slow
def test_questions_the_reports_cannot_answer(real) -> None:
    directory, _ = real
    adobe = understand("What is Adobe's FY2022 gross margin?", directory)
    assert adobe.formula == "gross_margin" and [c.name for c in adobe.companies] == [
        "ADOBE SYSTEMS INCORPORATED"
    ]
    assert unanswerable(adobe).reason == "year_not_covered"  # type: ignore[union-attr]
    assert unanswerable(understand("招商银行2024年的净利润是多少？", directory)).reason == (  # type: ignore[union-attr]
        "unknown_company"
    )
    assert unanswerable(understand("四方科技2019年的不良贷款率是多少？", directory)).reason == (  # type: ignore[union-attr]
        "metric_not_disclosed"
    )
