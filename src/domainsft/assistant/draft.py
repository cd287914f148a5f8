"""The answer the facts give, drafted before the model speaks.

For a lookup, a claim, a formula, a growth rate, a CAGR, a trend or a comparison, the figures
come from the facts in scope (``scope.best``) and derived ones from the domain pack's formulas
(``formulas.compute``, ``growth``, ``cagr``: Decimal, ROUND_HALF_UP), with costs turned the
way formulas take them (``signs.Signs``). The draft gives the prompt its "figures from the
reports" and "computed from them" lines, the key figures a good answer must state, and the
answer itself, which the pipeline falls back on when the model's answer does not state them.
Where a figure is missing the draft says which (``missing``) and gives no answer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from domainsft.assistant.directory import Company
from domainsft.assistant.scope import Scope
from domainsft.assistant.ties import cues
from domainsft.assistant.understand import Query
from domainsft.domains.finance.assistant import phrase
from domainsft.domains.finance.formulas import Computation, cagr, compute, formulas, growth
from domainsft.domains.finance.formulas import metric_label as label
from domainsft.domains.finance.sections import by_section, same_name, summarised
from domainsft.domains.finance.signs import Signs
from domainsft.domains.finance.templates import phrase as pack_phrase
from domainsft.domains.finance.templates import templates
from domainsft.grounding import Target
from domainsft.numbers import Quantity, format_quantity, printed_places, round_half_up, scale_factor
from domainsft.records import Fact, Page

Pages = Mapping[tuple[str, int], Page]


@dataclass
class Draft:
    text: str = ""
    lines: list[str] = field(default_factory=list)  # one per fact used, with its citation
    computed: list[str] = field(default_factory=list)  # worked computations
    key: list[Target] = field(default_factory=list)  # the figures an answer must state
    facts: list[Fact] = field(default_factory=list)
    missing: str = ""  # the metric (or formula) id no fact gives; "" when drafted
    pages: list[tuple[str, int]] = field(default_factory=list)  # (doc_id, page) of quotes
    quotes: list[str] = field(default_factory=list)  # report sentences the draft quotes
    decides: bool = False  # the draft is the answer (a verdict the model does not make)

    @property
    def names(self) -> list[str]:
        """The text facts (names, codes) an answer must state, as ``key`` holds the figures."""
        return [f.value for f in self.facts if f.unit == "text" and f.value.strip()]


def draft(query: Query, scope: Scope, pages: Pages | None = None) -> Draft:
    """The draft of ``query`` over ``scope`` (module docstring); an empty draft for questions
    the facts alone do not answer (an open question, a summary of a section no fact is
    printed in). ``pages``: the corpus's pages by (doc_id, page), where a summary's section is
    looked up."""
    out = Draft()
    if not scope.companies:
        return out
    company, lang, op = scope.companies[0], query.lang, query.operation
    if query.formula and op in ("formula", "lookup", "compare"):
        for c in scope.companies if op == "compare" else [company]:
            _formula(out, query, scope, c, scope.years[c.name][-1], lang)
    elif (op in ("yoy", "cagr") and query.metrics) or _two_year_rate(query, scope, company):
        _rate(out, query, scope, company, query.metrics[0], lang)
    elif op == "lookup" and len(query.metrics) == 2 and cues()["share"].search(query.text):
        _share(out, query, scope, company, scope.years[company.name][-1], lang)
    elif op == "summary":
        _summary(out, query, scope, company, scope.years[company.name][-1], lang, pages or {})
    elif op in ("lookup", "info", "claim", "compare", "trend") and query.metrics:
        for c in scope.companies if op == "compare" else [company]:
            years = scope.years[c.name] if op == "trend" else [scope.years[c.name][-1]]
            for y in years:
                for metric in query.metrics:
                    _lookup(out, query, scope, c, metric, y, lang)
        if op == "claim" and out.facts and not out.missing:
            out.text = _claim(query, scope, company, out.facts[0], lang) or "\n".join(out.lines)
    if not out.text and not out.missing and out.lines:
        out.text = "\n".join(out.lines + out.computed)
    return out


def _summary(
    out: Draft, query: Query, scope: Scope, c: Company, year: int, lang: str, pages: Pages
) -> None:
    """The key figures of the section the question quotes, on every page of the year's report
    it runs on (``domains.finance.sections``), else those printed on the page it names; with
    their prior-year column, in reading order."""
    docs = [r.doc_id for r in c.reports if r.year == year]
    on_year = [f for f in scope.facts if f.doc_id in docs and f.fiscal_year in (year, year - 1)]
    chosen = _in_section(query, on_year, pages, lang) if query.section else []
    if not chosen:
        if query.page not in {f.page for f in on_year}:
            return
        printed = [f for f in on_year if f.unit != "text" and f.scope != "parent"]
        chosen = sorted(
            (f for f in printed if f.page == query.page), key=lambda f: (f.row or 0, -f.fiscal_year)
        )
    seen: set[tuple[str, int]] = set()
    for f in chosen:
        key = (f.metric, f.fiscal_year)
        if key not in seen and len(seen) < 20:
            seen.add(key)
            out.facts.append(f)
            out.lines.append(_line(f, c, lang, query))
            out.key.append(_target(f, query))


def _in_section(query: Query, facts: list[Fact], pages: Pages, lang: str) -> list[Fact]:
    """The summarised ``facts`` printed under the quoted section (on the named page only, when
    the question names one), page by page in reading order."""
    by_page: dict[tuple[str, int], list[Fact]] = defaultdict(list)
    for f in facts:
        if summarised(f) and query.page in (None, f.page):
            by_page[(f.doc_id, f.page)].append(f)
    out: list[Fact] = []
    for key in sorted(by_page):
        page = pages.get(key)
        if page is None:
            continue
        for name, located in by_section(page.text, by_page[key], lang).items():
            if same_name(name, query.section or ""):
                out += located
    return out


def _lookup(
    out: Draft, query: Query, scope: Scope, c: Company, metric: str, year: int, lang: str
) -> None:
    f = scope.best(c, metric, year)
    if f is None:
        out.missing = out.missing or metric
        return
    out.facts.append(f)
    out.lines.append(_line(f, c, lang, query))
    if f.unit != "text":
        out.key.append(_target(f, query))


def _formula(out: Draft, query: Query, scope: Scope, c: Company, year: int, lang: str) -> None:
    fid = query.formula or ""
    spec = formulas().get(fid)
    if spec is None:
        out.missing = out.missing or fid
        return
    now = [scope.best(c, m, year) for m in spec.inputs]
    before = [scope.best(c, m, year - 1) for m in spec.prior]
    if any(f is None for f in now + before):
        out.missing = out.missing or fid
        return
    signs = Signs(scope.facts)
    values = {f.metric: signs.value(f) for f in now if f}
    prior = {f.metric: signs.value(f) for f in before if f}
    result = compute(fid, values, prior, lang, query.places)
    _computed(out, result, [f for f in now + before if f], c, lang, query, year)


def _two_year_rate(query: Query, scope: Scope, c: Company) -> bool:
    """Two consecutive years and a percentage asked for: "grow in 2019 compared with 2018"."""
    years = scope.years.get(c.name, [])
    return (
        query.operation == "trend" and len(query.metrics) == 1 and len(years) == 2
        and years[1] - years[0] == 1 and bool(cues()["percent_asked"].search(query.text))
    )  # fmt: skip


def _share(out: Draft, query: Query, scope: Scope, c: Company, year: int, lang: str) -> None:
    """One figure as a share of the other: the part (the smaller) over the whole, in %."""
    facts = [scope.best(c, m, year) for m in query.metrics]
    if any(f is None for f in facts):
        gone = [m for m, f in zip(query.metrics, facts, strict=True) if f is None]
        out.missing = out.missing or gone[0]
        return
    part, whole = sorted(facts, key=lambda f: abs(Decimal(f.value)))
    if Decimal(whole.value) == 0:
        out.missing = out.missing or whole.metric
        return
    places = 2 if query.places is None else query.places
    value = round_half_up(abs(Decimal(part.value)) / abs(Decimal(whole.value)) * 100, places)
    a_digits, b_digits = _base(part), _base(whole)
    out.facts += [part, whole]
    out.lines += [_line(part, c, lang, query), _line(whole, c, lang, query)]
    shown = format_quantity(value, "%", "1", places, lang)
    name = phrase("draft", "share_name", lang).format(part=label(part.metric, lang),
                                                       whole=label(whole.metric, lang))  # fmt: skip
    out.computed.append(f"{name} = {a_digits} / {b_digits} × 100% = {shown}")
    period = templates()["period"]["year"][lang].format(year=year)
    out.computed.append(phrase("draft", "result", lang).format(
        company=c.short or c.name, period=period, name=name, value=shown))  # fmt: skip
    step = Decimal(1).scaleb(-places)
    out.key.append(Target(Quantity(value, "%", quantum=step), step))


def _base(f: Fact) -> str:
    """The fact's value in base units with two decimals, as the worked formulas show them."""
    return f"{abs(Decimal(f.value)):,.2f}"


def _rate(out: Draft, query: Query, scope: Scope, c: Company, metric: str, lang: str) -> None:
    years = scope.years[c.name]
    last, first = years[-1], (years[0] if query.operation == "cagr" else years[-1] - 1)
    a = scope.best(c, metric, last)
    # the prior year from the same report's comparative column where it prints one
    b = scope.best(c, metric, first, prefer_doc=a.doc_id if a else None)
    if a is None or b is None or first >= last:
        out.missing = out.missing or metric
        return
    places = 2 if query.places is None else query.places
    signs = Signs(scope.facts)
    now, then = signs.value(a), signs.value(b)
    if query.operation == "cagr":
        result = cagr(then, now, last - first, places, lang, metric)
    else:
        result = growth(metric, now, then, places, lang)
    _computed(out, result, [a, b], c, lang, query, last)
    if query.operation == "yoy" and result.value is not None and a.unit not in ("%", "pp"):
        out.computed.append(_change(a, b, lang, query))


def _change(a: Fact, b: Fact, lang: str, q: Query) -> str:
    """The change in amount beside the rate ("减少了多少元" asks for it): the two figures as
    printed, their difference and its direction."""
    diff = Decimal(a.value) - Decimal(b.value)
    scale = (q.scale if q.scale else None) or a.scale
    places = q.places if q.places is not None else printed_places(a.printed)
    places = places if scale == a.scale else 2
    amount = format_quantity(abs(diff), a.unit, scale, places, lang)
    signed = format_quantity(diff, a.unit, scale, places, lang)
    direction = phrase("draft", "up" if diff >= 0 else "down", lang)
    return phrase("draft", "change", lang).format(
        label=label(a.metric, lang), now=value_text(a, lang, q), then=value_text(b, lang, q),
        diff=signed, direction=direction, amount=amount,
    )  # fmt: skip


def _computed(
    out: Draft, result: Computation, used: list[Fact], c: Company, lang: str, q: Query, year: int
) -> None:
    if result.value is None:
        out.missing = out.missing or result.metric
        return
    out.facts += used
    out.lines += [_line(f, c, lang, q) for f in used]
    out.computed += result.steps
    unit = "%" if result.kind == "percent" else ""
    step = Decimal(1).scaleb(-result.places)
    out.key.append(Target(Quantity(result.value, unit, quantum=step), step))
    shown = format_quantity(result.value, unit, "1", result.places, lang)
    name = label(result.metric, lang) if result.metric in formulas() else result.formula
    name = name.split(" = ")[0]
    period = templates()["period"]["year"][lang].format(year=year)
    sentence = phrase("draft", "result", lang).format(
        company=c.short or c.name, period=period, name=name, value=shown
    )
    out.computed.append(sentence)


def _line(f: Fact, c: Company, lang: str, q: Query) -> str:
    kind = f.period if f.period in ("year", "instant") else "other"
    period = templates()["period"][kind][lang].format(year=f.fiscal_year)
    value, where = value_text(f, lang, q), cite(f, c, lang)
    return phrase("draft", "fact_line", lang).format(
        label=label(f.metric, lang), period=period, value=value, cite=where
    )


def value_text(f: Fact, lang: str, q: Query | None = None) -> str:
    """The fact's value as printed, or in the scale and decimals the question asks for."""
    if f.unit == "text":
        return f.value
    scale = (q.scale if q and q.scale and f.unit not in ("%", "pp") else None) or f.scale
    places = q.places if q and q.places is not None else None
    if places is None:
        places = printed_places(f.printed) if scale == f.scale else 2
    return format_quantity(Decimal(f.value), f.unit, scale, places, lang)


def _target(f: Fact, q: Query) -> Target:
    scale = (q.scale if q.scale and f.unit not in ("%", "pp") else None) or f.scale
    places = q.places if q.places is not None else printed_places(f.printed)
    step = Decimal(1).scaleb(-places) * (scale_factor(scale) if f.unit not in ("%", "pp") else 1)
    return Target(Quantity(Decimal(f.value), f.unit, scale, quantum=step), step)


def cite(f: Fact, c: Company, lang: str) -> str:
    """The citation of the report and page ``f`` is printed on."""
    year = next((r.year for r in c.reports if r.doc_id == f.doc_id), f.report_year)
    return pack_phrase("cite", lang).format(company=c.name, year=year, page=f.page)


def _claim(q: Query, scope: Scope, c: Company, f: Fact, lang: str) -> str:
    from domainsft.numbers import numbers_equal, parse_quantity

    claimed = parse_quantity(q.claim or "")
    if claimed is None or f.unit == "text":
        return ""
    truth = Quantity(Decimal(f.value), f.unit, f.scale, quantum=claimed.precision)
    same = numbers_equal(claimed, truth) or numbers_equal(
        Quantity(abs(claimed.value), quantum=claimed.precision), Quantity(abs(truth.value))
    )
    kind = f.period if f.period in ("year", "instant") else "other"
    period = templates()["period"][kind][lang].format(year=f.fiscal_year)
    key = "claim_true" if same else "claim_false"
    return phrase("draft", key, lang).format(
        company=c.short or c.name, period=period, name=label(f.metric, lang),
        value=value_text(f, lang), cite=cite(f, c, lang), claimed=q.claim,
    )  # fmt: skip
