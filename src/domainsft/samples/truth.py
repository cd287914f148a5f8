"""Ground-truth records: facts and personal data as printed, and the per-document manifest."""

from __future__ import annotations

from typing import Any

from domainsft.samples.report import Report

FACT_FIELDS = (
    "fact_id",
    "doc",
    "company",
    "company_id",
    "stock_code",
    "lang",
    "fiscal_year",
    "metric",
    "value",
    "unit",
    "scale",
    "printed",
    "page",
    "section",
    "scanned",
)


def fact_records(report: Report) -> list[dict[str, Any]]:
    """One record per printed occurrence, in page order; ids are stable across runs."""
    c = report.company
    stem = report.doc.rsplit(".", 1)[0]
    seen: dict[str, int] = {}
    out = []
    for raw in report.facts:
        base = f"{stem}:{raw['section']}:{raw['metric']}:{raw['fiscal_year']}"
        seen[base] = seen.get(base, 0) + 1
        rec = {
            **raw,
            "company": c.name,
            "company_id": c.company_id,
            "stock_code": c.stock_code,
            "lang": c.lang,
            "scanned": raw["page"] in report.scanned,
            "fact_id": base if seen[base] == 1 else f"{base}#{seen[base]}",
        }
        out.append({k: rec[k] for k in FACT_FIELDS})
    return out


def pii_records(report: Report) -> list[dict[str, Any]]:
    keys = ("doc", "page", "type", "value", "disclosed_contact")
    return [{**{k: r[k] for k in keys}, "scanned": r["page"] in report.scanned} for r in report.pii]


def manifest_entry(report: Report) -> dict[str, Any]:
    c = report.company
    n = len(report.pages)
    continued = [i + 1 for i, p in enumerate(report.pages) if p.continued]
    sections: dict[str, list[int]] = {}
    for i, page in enumerate(report.pages):
        for name in sorted(page.sections):
            sections.setdefault(name, []).append(i + 1)
    return {
        "file": report.doc,
        "company": c.name,
        "company_id": c.company_id,
        "stock_code": c.stock_code,
        "market": c.market,
        "year": report.year,
        "lang": c.lang,
        "n_pages": n,
        "scanned_pages": report.scanned,
        "header": report.header,
        "footer_style": c.footer_style,
        "footer_example": report.footer(2, n),
        "scale": c.unit.scale,
        "currency": c.unit.currency,
        "continued_pages": continued,
        "section_pages": sections,
    }
