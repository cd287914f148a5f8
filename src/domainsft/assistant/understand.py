"""Question understanding, the first stage of the answer pipeline: question text -> ``Query``.

Pure and deterministic, a few milliseconds per question, driven by the domain pack's data
(metrics.yaml, formulas.yaml, questions.yaml, compliance.yaml) and the corpus ``Directory``.
It reads, in this order, so that each step sees the question without what the steps before
it explained: company names (``companies``), the quoted section of a summary question, metric
and formula names (``measures``), numbers (the numbers kernel: years, a claimed figure, a
page), then cue phrases (growth, CAGR, claim ...), requested decimals / currency / scale, the
years (``years``) and names of companies the corpus lacks.

It never guesses a company: a question that names none leaves ``companies`` empty even when
the corpus holds one company only; the pipeline decides. A question that is pasted with its
context block (the dataset's "参考资料：..." / "Context: ..." prompts) is read without it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from domainsft.assistant.companies import unknown_names
from domainsft.assistant.directory import Company, Directory
from domainsft.assistant.measures import find_terms
from domainsft.assistant.operation import cue_spans, decide
from domainsft.assistant.requests import (
    claimed_figure,
    page_number,
    quoted,
    requested_places,
    requested_unit,
)
from domainsft.assistant.years import find_years
from domainsft.domains.finance import metrics
from domainsft.domains.finance.assistant import bare_question
from domainsft.domains.finance.compliance import needs_disclaimer
from domainsft.numbers import find_quantities

Span = tuple[int, int]


@dataclass
class Query:
    """What a question asks, in the terms of the corpus and the domain pack."""

    text: str  # the question as read (without a pasted context block)
    lang: str  # "zh" | "en": the question's language, the one to answer in
    companies: list[Company] = field(default_factory=list)  # in question order
    unknown_company: str | None = None  # a company named that the corpus lacks (abstain)
    ambiguous: list[Company] = field(default_factory=list)  # a short form several companies share
    years: list[int] = field(default_factory=list)  # fiscal years asked, ascending; [] = latest
    report_year: int | None = None  # the report named (2019年年报, the FY2019 annual report)
    metrics: list[str] = field(default_factory=list)  # metric ids of metrics.yaml, question order
    formula: str | None = None  # formula id of formulas.yaml (a family gives its default)
    operation: str = "lookup"  # lookup|formula|yoy|cagr|compare|trend|info|claim|summary
    template: str | None = None  # formulas.yaml template applied to the metric: growth | cagr
    unit: str | None = None  # requested currency / unit (CNY, USD, %)
    scale: str | None = None  # requested scale (万元, 亿元, millions)
    places: int | None = None  # requested decimals
    judgement: bool = False  # asks for an assessment: the answer carries the disclaimer
    claim: str | None = None  # the figure a claim check states, as written
    section: str | None = None  # the quoted section of a summary question
    page: int | None = None  # a page the question names


def understand(text: str, directory: Directory) -> Query:
    """Read one question against the corpus's ``directory``."""
    question = without_context(text)
    mentions = directory.matcher.mentions(question)
    known = _unique(m.companies[0] for m in mentions if len(m.companies) == 1)
    unsure = _unique(c for m in mentions if len(m.companies) > 1 for c in m.companies)
    masked = _mask(question, [(m.start, m.end) for m in mentions])
    lang = _language(masked)
    section_name, quote_spans = quoted(masked)
    masked = _mask(masked, quote_spans)
    terms = find_terms(masked)
    masked = _mask(masked, [(t.start, t.end) for t in terms])
    cues = cue_spans(masked, lang)
    unit, scale, unit_spans = requested_unit(masked, lang)
    quantities = [q for q in find_quantities(masked) if not _inside(q.span, unit_spans)]
    latest = max((c.latest_year for c in known), default=directory.latest_year)
    skip = [s for name in ("growth", "cagr", "compare", "change") for s in cues.get(name, [])]
    years = find_years(masked, quantities, lang, latest, skip)
    plain = _mask(masked, [q.span for q in quantities if q.span] + years.spans + unit_spans)
    unknown = [name for _, name in unknown_names(plain)]
    query = Query(
        text=question,
        lang=lang,
        companies=known,
        unknown_company=unknown[0] if unknown else None,
        ambiguous=unsure,
        years=years.years,
        report_year=years.report_year,
        metrics=_unique(t.metric for t in terms if t.metric),
        formula=next((t.formula for t in terms if t.formula), None),
        unit=unit,
        scale=scale,
        places=requested_places(masked, lang),
        judgement=needs_disclaimer(question, lang=lang),
        section=section_name,
        page=page_number(quantities),
    )
    formula_only = any(t.formula and not t.metric for t in terms)
    query.operation, query.template = decide(query, cues, formula_only, _text_only(query))
    if query.operation == "claim":
        query.claim = claimed_figure(quantities)
    return query


def without_context(text: str) -> str:
    """The question of a prompt that carries evidence in front of it (the pipeline's own
    grounded prompt, or the templates' context block): ``bare_question`` of the domain pack."""
    return bare_question(text)


def _language(text: str) -> str:
    """zh when the question has at least as many CJK characters as Latin words (company names
    masked: "What was 平安银行's revenue?" is English)."""
    cjk = sum(1 for c in text if "\u4e00" <= c <= "\u9fff")
    latin = len([w for w in text.split() if any("a" <= c.lower() <= "z" for c in w)])
    return "zh" if cjk and cjk >= latin else "en"


def _text_only(query: Query) -> bool:
    return bool(query.metrics) and all(metrics()[m].kind == "text" for m in query.metrics)


def _mask(text: str, spans) -> str:
    chars = list(text)
    for span in spans:
        if span:
            chars[span[0] : span[1]] = " " * (span[1] - span[0])
    return "".join(chars)


def _inside(span: Span | None, spans: list[Span]) -> bool:
    return span is not None and any(a <= span[0] and span[1] <= b for a, b in spans)


def _unique(items) -> list:
    return list(dict.fromkeys(items))
