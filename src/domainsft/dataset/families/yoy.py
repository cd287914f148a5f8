"""Year-on-year growth: this year's figure, the prior year's (comparative column or previous
report), and the growth computed by ``formulas.growth``."""

from __future__ import annotations

from decimal import Decimal

from domainsft.dataset import render, signs
from domainsft.dataset.families.base import Context, example, pick, rng
from domainsft.domains.finance.formulas import growth
from domainsft.domains.finance.templates import family
from domainsft.numbers import format_number
from domainsft.records import Example, Fact

JUDGE_SHARE = 0.3
KINDS = ("money", "per_share", "count")  # growth of a ratio is a change in points, not a rate


def generate(ctx: Context) -> list[Example]:
    from domainsft.domains.finance import metrics

    out = []
    for report in ctx.index.reports.values():
        for f in ctx.index.current(report):
            if f.unit == "text" or metrics().get(f.metric) is None:
                continue
            if metrics()[f.metric].kind not in KINDS:
                continue
            before = ctx.index.prior(report, f.metric)
            if before is not None and Decimal(before.value) != 0:
                out.append(_one(ctx, report, f, before))
    return out


def _one(ctx: Context, report, now: Fact, before: Fact) -> Example:
    lang = report.lang
    comp = growth(now.metric, ctx.signs.value(now), ctx.signs.value(before), lang=lang)
    r = rng(ctx, "yoy", now.fact_id)
    judge = r.random() < JUDGE_SHARE
    t = family("yoy")
    slots = render.names(report) | {
        "metric": render.label(now.metric, lang),
        "value": render.value_text(now, lang),
        "cite": render.cite(report, now.page, lang),
        "prior_value": render.value_text(before, lang),
        "prior_cite": render.cite(ctx.index.reports[before.doc_id], before.page, lang),
        "formula": comp.formula,
        "steps": "\n".join(comp.steps),
        "sign_note": signs.note(ctx.signs, [now, before], lang),
        "direction": t["up" if comp.value >= 0 else "down"][lang],  # type: ignore[operator]
        "abs_growth": format_number(abs(comp.value), comp.places) + "%",  # type: ignore[arg-type]
    }
    q = pick(r, "yoy", "judge" if judge else "question", lang).format(**slots)
    a = pick(r, "yoy", "answer", lang).format(**slots)
    gold = {"value": str(comp.value), "unit": "%", "scale": "1", "places": comp.places}
    return example(
        "yoy", lang, q, a, [now, before], gold, judgement=judge,
        formula="growth", prior_fact_ids=[before.fact_id],
    )  # fmt: skip
