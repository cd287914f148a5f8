"""One report end to end: lay out, pick the pages to scan, render, and collect its truth."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from domainsft.samples import en, fonts, zh
from domainsft.samples.company import Company
from domainsft.samples.context import Ctx, Figures
from domainsft.samples.layout import PageOut
from domainsft.samples.render import render_pdf
from domainsft.samples.scan import rasterise
from domainsft.samples.statements import Line

_LANGS = {"zh": zh, "en": en}
# Statement pages first: figures in scans are what OCR has to get right.
_SCAN_PREFERENCE = (("income", "balance", "cash_flow"), ("key_figures", "employees", "mdna"))


@dataclass
class Report:
    company: Company
    year: int
    doc: str  # file name of the PDF
    pages: list[PageOut]
    header: str
    scanned: list[int]
    facts: list[dict[str, Any]] = field(default_factory=list)
    pii: list[dict[str, Any]] = field(default_factory=list)
    statements: dict[str, list[Line]] = field(default_factory=dict)

    @property
    def lang(self) -> str:
        return self.company.lang

    def footer(self, page: int, total: int) -> str:
        return _LANGS[self.lang].footer(self.company.footer_style, page, total)


def build_report(
    company: Company, year: int, history: dict[int, Figures], seed: int, scanned_pages: int
) -> Report:
    """Lay out one report (nothing rendered yet) and resolve every tag to its page."""
    lang = _LANGS[company.lang]
    ctx = Ctx(company, year, history[year], history[year - 1], seed)
    lang.build(ctx)
    pages = ctx.flow.pages
    if not pages[-1].ops:
        pages.pop()
    if any(not (p.ops or p.cover) for p in pages):  # would shift every later page number
        raise AssertionError(f"{company.company_id} {year}: layout produced an empty page")
    doc = f"{company.company_id}_{year}_{company.lang}.pdf"
    rng = random.Random(f"{seed}/{doc}/scan")
    report = Report(
        company,
        year,
        doc,
        pages,
        lang.header(ctx),
        _pick_scans(pages, scanned_pages, rng),
        statements=ctx.statements,
    )
    for tag, page in ctx.flow.placed:
        record = {"doc": doc, "page": page, **tag.data}
        (report.facts if tag.kind == "fact" else report.pii).append(record)
    return report


def _pick_scans(pages: list[PageOut], k: int, rng: random.Random) -> list[int]:
    chosen: list[int] = []
    for wanted in _SCAN_PREFERENCE:
        pool = [i + 1 for i, p in enumerate(pages) if p.sections & set(wanted)]
        pool = [n for n in pool if n not in chosen]
        chosen += rng.sample(pool, min(len(pool), k - len(chosen)))
    if len(chosen) < k:  # more scans asked for than figure pages: take any non-cover pages
        rest = [i + 1 for i, p in enumerate(pages) if not p.cover and i + 1 not in chosen]
        chosen += rng.sample(rest, min(len(rest), k - len(chosen)))
    return sorted(chosen)


def render_report(report: Report, seed: int) -> bytes:
    """The final PDF: text pages, with the chosen pages replaced by noisy page images."""
    font_names = fonts.fonts_for(report.lang)
    args = (
        report.pages,
        font_names,
        report.header,
        report.footer,
        report.header,
        report.company.name,
    )
    scans: dict[int, bytes] = {}
    if report.scanned:
        text_version = render_pdf(*args, only=report.scanned)
        noise_seed = random.Random(f"{seed}/{report.doc}/noise").randrange(2**31)
        images = rasterise(text_version, noise_seed)
        scans = dict(zip(report.scanned, images, strict=True))
    return render_pdf(*args, scans=scans)
