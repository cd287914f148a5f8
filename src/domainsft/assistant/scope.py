"""What a question is about, in the corpus: the companies, the fiscal years, the reports and facts.

The companies are the ones the question names; with none named, the corpus's only company (a
corpus of several companies gets none, and the pipeline asks which). The years are the ones
asked, else each company's latest report year; a growth rate also needs the year before, a
CAGR or trend every year of its range. The reports in scope are each company's reports of those
years and of the year after (whose comparative column prints the year), and the facts in scope
are theirs. ``best`` picks the one fact of a metric and year that an answer cites: from the
year's own report, consolidated, most confident, earliest page (the key-figure table).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from domainsft.assistant.directory import Company, Directory
from domainsft.assistant.understand import Query
from domainsft.records import Fact


@dataclass
class Scope:
    companies: list[Company]
    years: dict[str, list[int]]  # company name -> fiscal years asked (ascending)
    doc_ids: list[str]
    facts: list[Fact] = field(default_factory=list)
    _by_key: dict[tuple[str, str, int], list[Fact]] = field(default_factory=dict, repr=False)

    def best(
        self, company: Company, metric: str, year: int, prefer_doc: str | None = None
    ) -> Fact | None:
        """The fact an answer cites for ``metric`` of ``year`` (module docstring); from
        ``prefer_doc`` first where it prints one (a prior year beside the current one)."""
        found = self._by_key.get((company.name, metric, year), [])
        own = {prefer_doc} if prefer_doc else {r.doc_id for r in company.reports if r.year == year}
        ranked = sorted(
            found,
            key=lambda f: (f.doc_id not in own, f.scope == "parent", -f.confidence, f.page),
        )
        return ranked[0] if ranked else None


def scope_of(query: Query, directory: Directory, facts_by_doc: dict[str, list[Fact]]) -> Scope:
    companies = list(query.companies)
    if not companies and len(directory.companies) == 1 and not query.unknown_company:
        companies = [directory.companies[0]]
    years = {c.name: _years(query, c) for c in companies}
    doc_ids = [
        r.doc_id
        for c in companies
        for r in c.reports
        if any(r.year in (y, y + 1) for y in years[c.name])
    ]
    doc_ids = list(dict.fromkeys(doc_ids))
    facts = [f for d in doc_ids for f in facts_by_doc.get(d, [])]
    by_key: dict[tuple[str, str, int], list[Fact]] = defaultdict(list)
    owner = {r.doc_id: c.name for c in companies for r in c.reports}
    for f in facts:
        by_key[(owner[f.doc_id], f.metric, f.fiscal_year)].append(f)
    return Scope(companies, years, doc_ids, facts, dict(by_key))


def _years(query: Query, company: Company) -> list[int]:
    asked = sorted(query.years) if query.years else [company.latest_year]
    if query.operation == "yoy" or query.template == "growth":
        asked = sorted({*asked, *(y - 1 for y in asked)})
    if query.operation in ("cagr", "trend") and len(asked) >= 2:
        asked = list(range(asked[0], asked[-1] + 1))
    return asked


def group_by_doc(facts: list[Fact]) -> dict[str, list[Fact]]:
    out: dict[str, list[Fact]] = defaultdict(list)
    for f in facts:
        out[f.doc_id].append(f)
    return dict(out)
