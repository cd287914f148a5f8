"""Why the corpus cannot answer a parsed question, where that shows before retrieval.

Three reasons, each checked against the directory's identity facts and the (metric, fiscal
year) pairs its reports have facts for:

* ``unknown_company``: the question names a company the corpus has no report of;
* ``year_not_covered``: no report of the company prints figures for a year asked (a report
  covers its own year and its comparative columns);
* ``metric_not_disclosed``: no report of the company has a fact of a metric asked for that
  year (for a formula: of one of its inputs, a prior-year input one year earlier; a growth
  rate needs the prior year too). A text field (stock code, auditor) counts in any year.

A question with no year asks about the company's latest report. ``gaps`` lists everything
missing; ``unanswerable`` says whether that rules the whole question out (a trend with one
year missing can still be answered for the others, with a note). No gap means nothing rules the
question out here; retrieval and the verifier still decide.
"""

from __future__ import annotations

from dataclasses import dataclass

from domainsft.assistant.directory import Company
from domainsft.assistant.understand import Query
from domainsft.domains.finance import metrics
from domainsft.domains.finance.formulas import formulas

REASONS = ("unknown_company", "year_not_covered", "metric_not_disclosed")


@dataclass(frozen=True)
class Gap:
    reason: str  # one of REASONS
    detail: str  # what is missing, for the abstaining answer and the logs
    company: str = ""  # the company's full name ("" for an unknown company)
    year: int | None = None  # the fiscal year missing, or the year a metric is missing for
    name: str = ""  # the metric or formula id not disclosed


def gaps(query: Query) -> list[Gap]:
    """Everything that rules ``query`` out, in the order of ``REASONS``."""
    out = []
    if query.unknown_company:
        out.append(Gap("unknown_company", query.unknown_company))
    for company in query.companies:
        years = query.years or [company.latest_year]
        missing = [y for y in years if not company.covers(y)]
        span = f"{min(_covered(company))}-{max(_covered(company))}"
        for y in missing:
            detail = f"{company.name} {y} (reports cover {span})"
            out.append(Gap("year_not_covered", detail, company.name, y))
        for y in (y for y in years if company.covers(y)):
            out += _undisclosed(query, company, y)
    return out


def unanswerable(query: Query) -> Gap | None:
    """The first gap when the gaps rule out the whole question: an unknown company, or every
    (company, year, metric) it asks for missing; else None."""
    found = gaps(query)
    if not found or query.unknown_company:
        return found[0] if found else None
    names = [*query.metrics, *([query.formula] if query.formula and not query.metrics else [])]
    cells = {(c.name, y, n) for c in query.companies for y in query.years or [c.latest_year]
             for n in names or [""]}  # fmt: skip
    blocked = {
        (g.company, g.year, n)
        for g in found
        if g.reason == "year_not_covered"
        for n in names or [""]
    } | {(g.company, g.year, g.name) for g in found if g.reason == "metric_not_disclosed"}
    return found[0] if cells and cells <= blocked else None


def _covered(company: Company) -> set[int]:
    return {y for r in company.reports for y in r.fiscal_years}


def _undisclosed(query: Query, company: Company, year: int) -> list[Gap]:
    out = []
    growth = query.template in ("growth", "cagr")
    fallback = _formula_inputs_missing(query.formula, company, year) if query.formula else None
    for metric in query.metrics:
        if _has(company, metric, year) and (not growth or _has(company, metric, year - 1)):
            continue
        if fallback == []:  # the printed metric is missing, its formula is computable
            continue
        detail = f"{company.name} {metric} {year}"
        out.append(Gap("metric_not_disclosed", detail, company.name, year, metric))
    if query.formula and not query.metrics and fallback:
        detail = f"{company.name} {query.formula}: " + ", ".join(f"{m} {y}" for m, y in fallback)
        out.append(Gap("metric_not_disclosed", detail, company.name, year, query.formula))
    return out


def _formula_inputs_missing(formula: str, company: Company, year: int) -> list[tuple[str, int]]:
    f = formulas()[formula]
    needed = [(m, year) for m in f.inputs] + [(m, year - 1) for m in f.prior]
    return [(m, y) for m, y in needed if not _has(company, m, y)]


def _has(company: Company, metric: str, year: int) -> bool:
    if metric in metrics() and metrics()[metric].kind == "text":
        return any(m == metric for r in company.reports for m, _ in r.metrics)
    return company.discloses(metric, year)
