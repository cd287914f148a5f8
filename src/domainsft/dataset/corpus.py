"""Reading facts and pages, and the index the task families draw from.

Bad lines raise ``InputError`` naming the file and line; nothing is written before the whole
input has been read, so a bad line never leaves half a dataset behind.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from domainsft.corpus import by_key, read_pages
from domainsft.records import Fact, Page


def load_pages(corpus: Path) -> dict[tuple[str, int], Page]:
    """Pages keyed by ``(doc_id, page)`` (read by the corpus kernel)."""
    return by_key(read_pages(corpus))


@dataclass(frozen=True)
class Report:
    doc_id: str
    company: str
    short: str  # the short name, or the full name where none is printed
    year: int  # the fiscal year the report covers
    lang: str


class Index:
    """Facts grouped the way families ask for them: the best fact per report, metric, year."""

    def __init__(self, facts: list[Fact]):
        self.facts = {f.fact_id: f for f in facts}
        self.reports: dict[str, Report] = {}
        self.best: dict[tuple[str, str, int], Fact] = {}
        for f in sorted(facts, key=_preference):
            if f.doc_id not in self.reports:
                short = f.company_short or f.company
                lang = f.lang if f.lang in ("zh", "en") else "en"
                self.reports[f.doc_id] = Report(f.doc_id, f.company, short, f.report_year, lang)
            if f.scope != "parent":  # questions name the group, i.e. consolidated figures
                self.best.setdefault((f.doc_id, f.metric, f.fiscal_year), f)
        self.by_company: dict[str, list[Report]] = defaultdict(list)
        for r in sorted(self.reports.values(), key=lambda r: (r.company, r.year, r.doc_id)):
            self.by_company[r.company].append(r)

    def get(self, doc_id: str, metric: str, year: int) -> Fact | None:
        return self.best.get((doc_id, metric, year))

    def current(self, report: Report) -> list[Fact]:
        """The report's own-year facts, one per metric, in a stable order."""
        found = [f for (d, _, y), f in self.best.items() if d == report.doc_id and y == report.year]
        return sorted(found, key=lambda f: f.metric)

    def prior(self, report: Report, metric: str) -> Fact | None:
        """The prior-year figure: the report's comparative column, else the previous report."""
        own = self.get(report.doc_id, metric, report.year - 1)
        if own is not None:
            return own
        for r in self.by_company[report.company]:
            if r.year == report.year - 1:
                return self.get(r.doc_id, metric, r.year)
        return None

    def years(self, company: str) -> list[int]:
        return sorted({r.year for r in self.by_company[company]})


def _preference(f: Fact) -> tuple:
    # Most confident first; then the earliest page (key figures precede the statements), so
    # the same question always cites the same page.
    return (f.doc_id, -f.confidence, f.page, f.fact_id)
