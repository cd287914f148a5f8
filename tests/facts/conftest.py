"""Fixtures for the fact-extraction tests: pages built in the test, and a small sample corpus."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from domainsft.config import IngestConfig, RedactConfig, SamplesConfig
from domainsft.domains.finance.terms import annotate_terms
from domainsft.records import Page

Line = str | list[str]  # a text line, or a table row (consecutive rows form one table)


def make_page(
    n: int,
    lines: list[Line],
    lang: str = "zh",
    doc_id: str = "d" * 64,
    source: str = "report.pdf",
    removed: list[str] | None = None,
    terms: bool = False,
) -> Page:
    """A page as ingest writes it: table rows appear in the text as one line each."""
    text_lines: list[str] = []
    tables: list[list[list[str]]] = []
    in_table = False
    for line in lines:
        if isinstance(line, list):
            if not in_table:
                tables.append([])
            tables[-1].append(line)
            text_lines.append(" ".join(c for c in line if c))
            in_table = True
        else:
            text_lines.append(line)
            in_table = False
    text = "\n".join(text_lines)
    return Page(
        doc_id=doc_id,
        source=source,
        page=n,
        text=text,
        tables=tables,
        lang=lang,
        removed_lines=removed or [],
        terms=annotate_terms(text) if terms else [],
    )


def sample_config(out: Path) -> SamplesConfig:
    return SamplesConfig(
        out=out, companies=2, years="2021-2022", lang="both", scanned_pages=1, seed=5
    )


def ingest_config(out: Path, ocr: str) -> IngestConfig:
    # Redaction off: truth.jsonl holds the e-mail addresses the profile prints.
    return IngestConfig(out=out, workers=2, ocr=ocr, redact=RedactConfig(enabled=False))


@pytest.fixture(scope="session")
def sample_reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from domainsft.samples import generate

    out = tmp_path_factory.mktemp("facts_reports")
    generate(sample_config(out))
    truth = [json.loads(x) for x in (out / "truth.jsonl").read_text("utf-8").splitlines()]
    return {"out": out, "truth": truth}


def recall(truth: list[dict[str, Any]], facts: list[Any]) -> tuple[float, list[dict[str, Any]]]:
    """Share of truth facts found with the exact value and page (and metric and year)."""
    from decimal import Decimal

    found: dict[tuple, set] = {}
    for f in facts:
        key = (Path(f.source).name, f.metric, f.fiscal_year, f.page)
        found.setdefault(key, set()).add(f.value if f.unit == "text" else Decimal(f.value))
    missed = []
    for t in truth:
        value = t["value"] if t["unit"] == "text" else Decimal(t["value"])
        if value not in found.get((t["doc"], t["metric"], t["fiscal_year"], t["page"]), ()):
            missed.append(t)
    return 1 - len(missed) / max(len(truth), 1), missed
