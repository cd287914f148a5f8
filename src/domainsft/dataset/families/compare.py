"""Cross-company comparison as a Markdown table that cites every cell: one metric of several
companies in the same fiscal year, or the YoY growth of one metric of two companies over up
to three years, computed by ``formulas.growth`` and its formula shown once under the table.

Companies are compared within one language (an example speaks its reports' language). The
splitter keeps a comparison only when all its companies fall in the same split.
"""

from __future__ import annotations

from decimal import Decimal
from itertools import combinations

from domainsft.dataset import render, signs
from domainsft.dataset.corpus import Report
from domainsft.dataset.families.base import Context, cell_of, example, pick, rng
from domainsft.domains.finance.formulas import growth
from domainsft.domains.finance.templates import family, templates
from domainsft.numbers import format_number
from domainsft.records import Example, Fact

MAX_GROUP = 4  # companies in one same-year table
GROWTH_YEARS = 3


def generate(ctx: Context) -> list[Example]:
    out = []
    for lang in ("zh", "en"):
        companies = sorted(c for c, rs in ctx.index.by_company.items() if rs[-1].lang == lang)
        groups = [list(g) for g in combinations(companies, 2)]
        if 3 <= len(companies) <= MAX_GROUP:
            groups.append(companies)
        for group in groups:
            out += _same_year(ctx, lang, group)
            if len(group) == 2:
                out += _growth(ctx, lang, group)
    return out


def _report(ctx: Context, company: str, year: int) -> Report | None:
    return next((r for r in ctx.index.by_company[company] if r.year == year), None)


def _same_year(ctx: Context, lang: str, group: list[str]) -> list[Example]:
    out = []
    years = set.intersection(*({r.year for r in ctx.index.by_company[c]} for c in group))
    for year in sorted(years):
        reports = [_report(ctx, c, year) for c in group]
        for metric in family("compare")["metrics"]:
            facts = [ctx.index.get(rep.doc_id, metric, year) for rep in reports]  # type: ignore[union-attr]
            if all(f is not None and f.unit != "text" for f in facts):
                out.append(_same_year_one(ctx, lang, reports, facts))  # type: ignore[arg-type]
    return out


def _same_year_one(ctx: Context, lang: str, reports: list[Report], facts: list[Fact]) -> Example:
    r = rng(ctx, "compare", *(f.fact_id for f in facts))
    t = templates()["table"]
    metric = render.label(facts[0].metric, lang)
    slots = {
        "companies": _joined([rep.short for rep in reports], lang),
        "metric": metric,
        "year": str(reports[0].year),
        "period": render.period(facts[0], lang),
    }
    header = [t["company"][lang], _upper(metric)]
    rows = [[rep.short, render.cell(f, rep, lang)] for rep, f in zip(reports, facts, strict=True)]
    q = pick(r, "compare", "question", lang).format(**slots)
    a = (
        pick(r, "compare", "intro", lang).format(**slots)
        + "\n"
        + render.markdown_table(header, rows)
    )
    cells = [cell_of(f, render.places(f)) for f in facts]
    companies = [rep.company for rep in reports]
    return example(
        "compare", lang, q, a, facts, None,
        cells=cells, companies=companies, compare_kind="same_year", metric=facts[0].metric,
    )  # fmt: skip


def _growth(ctx: Context, lang: str, pair: list[str]) -> list[Example]:
    out = []
    years = set.intersection(*({r.year for r in ctx.index.by_company[c]} for c in pair))
    years = sorted(years)[-GROWTH_YEARS:]
    for metric in family("compare")["growth_metrics"]:
        rows = [_growth_row(ctx, c, y, metric) for c in pair for y in years]
        if years and all(row is not None for row in rows):
            out.append(_growth_one(ctx, lang, pair, years, metric, rows))  # type: ignore[arg-type]
    return out


def _growth_row(ctx: Context, company: str, year: int, metric: str) -> tuple | None:
    """(report, this year's fact, the prior year's fact) or None when growth is undefined."""
    rep = _report(ctx, company, year)
    now = ctx.index.get(rep.doc_id, metric, year) if rep else None
    before = ctx.index.prior(rep, metric) if rep and now else None
    if now is None or before is None or now.unit == "text" or Decimal(before.value) == 0:
        return None
    return rep, now, before


def _growth_one(ctx, lang: str, pair, years: list[int], metric: str, rows: list) -> Example:
    r = rng(ctx, "compare", "growth", metric, *pair, *years)
    t, c = templates()["table"], family("compare")
    label = render.label(metric, lang)
    slots = {
        "companies": _joined([rows[0][0].short, rows[-1][0].short], lang),
        "metric": label,
        "years": f"{years[0]}-{years[-1]}" if len(years) > 1 else str(years[0]),
    }
    table, cells, facts, priors, formula = [], [], [], [], ""
    for rep, now, before in rows:
        comp = growth(metric, ctx.signs.value(now), ctx.signs.value(before), lang=lang)
        formula = comp.formula
        prior_rep = ctx.index.reports[before.doc_id]
        shown = format_number(comp.value, comp.places) + "%"  # type: ignore[arg-type]
        table.append([rep.short, str(rep.year), render.cell(now, rep, lang),
                      render.cell(before, prior_rep, lang), shown])  # fmt: skip
        cells += [cell_of(now, render.places(now)), cell_of(before, render.places(before))]
        cells.append({"fact_ids": [now.fact_id, before.fact_id], "metric": metric,
                      "fiscal_year": rep.year, "formula": "growth", "value": str(comp.value),
                      "unit": "%", "scale": "1", "places": comp.places})  # fmt: skip
        facts.append(now)
        priors.append(before)
    header = [t["company"][lang], t["year"][lang], _upper(label),
              _upper(c["prior"][lang].format(metric=label)), c["growth"][lang]]  # fmt: skip
    q = pick(r, "compare", "growth_question", lang).format(**slots)
    a = "\n".join([
        pick(r, "compare", "growth_intro", lang).format(**slots),
        render.markdown_table(header, table),
        pick(r, "compare", "formula_note", lang).format(formula=formula)
        + signs.note(ctx.signs, facts + priors, lang),
    ])  # fmt: skip
    unique = list({f.fact_id: f for f in facts + priors}.values())  # a prior may be a row too
    return example(
        "compare", lang, q, a, unique, None,
        cells=cells, companies=list(pair), compare_kind="growth", metric=metric,
        formula="growth", prior_fact_ids=[f.fact_id for f in priors],
    )  # fmt: skip


def _joined(names: list[str], lang: str) -> str:
    sep = "、" if lang == "zh" else ", "
    return sep.join(names[:-1]) + family("compare")["and"][lang] + names[-1]


def _upper(label: str) -> str:
    return label[:1].upper() + label[1:]
