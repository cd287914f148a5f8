"""Answers that say what the reports do not disclose, in the question's language, never a
figure: an unknown company, a year no report covers, a figure no report gives, or no company
named in a corpus of several (the wording is ``assistant.yaml``'s ``abstain``)."""

from __future__ import annotations

from domainsft.assistant.answerable import Gap
from domainsft.assistant.draft import Draft
from domainsft.assistant.scope import Scope
from domainsft.assistant.understand import Query
from domainsft.domains.finance.assistant import phrase
from domainsft.domains.finance.formulas import metric_label
from domainsft.domains.finance.templates import templates


def reason(query: Query, scope: Scope, gap: Gap | None) -> str | None:
    """The abstaining answer when the corpus rules the question out before drafting."""
    lang = query.lang
    if gap is not None and gap.reason == "unknown_company":
        return phrase("abstain", "unknown_company", lang).format(name=gap.detail)
    if gap is not None and gap.reason == "year_not_covered":
        return phrase("abstain", "no_year", lang).format(
            company=gap.company, period=_period(gap.year, lang)
        )
    if gap is not None and gap.reason == "metric_not_disclosed":
        return _not_disclosed(gap.company, gap.name, gap.year, lang)
    if not scope.companies:
        return phrase("abstain", "no_company", lang)
    return None


def missing(query: Query, scope: Scope, d: Draft) -> str | None:
    """The abstaining answer when the draft lacks a figure the question needs."""
    if not d.missing or not scope.companies:
        return None
    company = scope.companies[0]
    return _not_disclosed(company.name, d.missing, scope.years[company.name][-1], query.lang)


def no_answer(lang: str) -> str:
    """Nothing to say: the model gave no answer and the facts hold no draft."""
    return phrase("abstain", "no_answer", lang)


def refused(lang: str) -> str:
    return phrase("abstain", "refused", lang)


def _not_disclosed(company: str, name: str, year: int | None, lang: str) -> str:
    label = metric_label(name, lang) if name else ""
    return phrase("abstain", "not_disclosed", lang).format(
        company=company, name=label, period=_period(year, lang)
    )


def _period(year: int | None, lang: str) -> str:
    return templates()["period"]["other"][lang].format(year=year) if year else ""
