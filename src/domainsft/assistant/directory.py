"""The reports of a corpus as question understanding sees them: who, which year, what is in it.

Built once per corpus from ``facts.jsonl``: every fact carries its report's identity (company,
short name, stock code, report year, language), so the directory needs no other file. Each
report also keeps which fiscal years and which (metric, fiscal year) pairs it has a figure
for, so that a question about a year or a metric no report gives can be told apart from one
the reports answer.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from domainsft.corpus import load_facts
from domainsft.records import Fact


@dataclass(frozen=True)
class Report:
    """One report (one ``doc_id``) of a company."""

    doc_id: str
    year: int  # the fiscal year the report covers (``Fact.report_year``)
    lang: str  # "zh" | "en"
    fiscal_years: frozenset[int]  # years it prints figures for (comparative columns included)
    metrics: frozenset[tuple[str, int]]  # (metric id, fiscal year) it has a fact for


@dataclass(frozen=True)
class Company:
    """A company of the corpus with its reports, oldest first."""

    name: str  # full name as printed (四方科技集团股份有限公司, 3M COMPANY)
    short: str  # 简称 as printed, "" when the report prints none
    code: str  # stock code or ticker as printed (603339, 000001, MATX), "" when none
    lang: str
    reports: tuple[Report, ...]

    @property
    def doc_ids(self) -> dict[int, list[str]]:
        """Report year -> the doc ids of that year's reports."""
        out: dict[int, list[str]] = defaultdict(list)
        for r in self.reports:
            out[r.year].append(r.doc_id)
        return dict(out)

    @property
    def years(self) -> list[int]:
        """The report years, ascending."""
        return sorted({r.year for r in self.reports})

    @property
    def latest_year(self) -> int:
        return max(r.year for r in self.reports)

    def covers(self, fiscal_year: int) -> bool:
        """Whether some report prints figures for ``fiscal_year``."""
        return any(fiscal_year in r.fiscal_years for r in self.reports)

    def discloses(self, metric: str, fiscal_year: int) -> bool:
        """Whether some report has a fact of ``metric`` for ``fiscal_year``."""
        return any((metric, fiscal_year) in r.metrics for r in self.reports)


class Directory:
    """The companies of a corpus; build it once with ``from_facts`` or ``from_corpus``."""

    def __init__(self, companies: Iterable[Company]):
        self.companies: tuple[Company, ...] = tuple(companies)

    @classmethod
    def from_corpus(cls, corpus: str | Path) -> Directory:
        """From ``CORPUS/facts.jsonl`` (``domainsft facts`` writes it)."""
        return cls.from_facts(load_facts(corpus))

    @classmethod
    def from_facts(cls, facts: Iterable[Fact]) -> Directory:
        """Facts grouped by report and reports by company (the full name, case and spacing
        ignored: NIKE, Inc. and NIKE, INC. are one company)."""
        by_doc: dict[str, list[Fact]] = defaultdict(list)
        for f in facts:
            by_doc[f.doc_id].append(f)
        groups: dict[str, list[list[Fact]]] = defaultdict(list)
        for doc_facts in by_doc.values():
            groups[_key(doc_facts[0].company) or doc_facts[0].doc_id].append(doc_facts)
        return cls(_company(docs) for _, docs in sorted(groups.items()))

    @cached_property
    def latest_year(self) -> int | None:
        """The latest report year of the corpus (None when it is empty)."""
        return max((c.latest_year for c in self.companies), default=None)

    @cached_property
    def matcher(self):
        """The company-name matcher of this directory (built on first use)."""
        from domainsft.assistant.companies import CompanyMatcher

        return CompanyMatcher(self.companies)


def _key(name: str) -> str:
    return " ".join(name.casefold().split())


def _company(docs: list[list[Fact]]) -> Company:
    every = [f for doc in docs for f in doc]
    reports = sorted((_report(doc) for doc in docs), key=lambda r: (r.year, r.doc_id))
    return Company(
        name=_most_common(f.company for f in every),
        short=_most_common(f.company_short for f in every),
        code=_most_common(f.stock_code for f in every),
        lang=_most_common(r.lang for r in reports),
        reports=tuple(reports),
    )


def _report(doc: list[Fact]) -> Report:
    lang = _most_common(f.lang for f in doc)
    year = Counter(f.report_year for f in doc).most_common(1)[0][0]
    if not year:  # no report year found on its first pages: the latest year it has figures for
        year = max((f.fiscal_year for f in doc), default=0)
    return Report(
        doc_id=doc[0].doc_id,
        year=year,
        lang=lang if lang in ("zh", "en") else "en",
        fiscal_years=frozenset(f.fiscal_year for f in doc),
        metrics=frozenset((f.metric, f.fiscal_year) for f in doc),
    )


def _most_common(values: Iterable[str]) -> str:
    """The most frequent non-empty value ("" when none); ties go to the first seen."""
    counts = Counter(v for v in values if v)
    return counts.most_common(1)[0][0] if counts else ""
