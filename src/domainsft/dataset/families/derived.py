"""Derived metric with chain of thought: formula -> inputs (unit, page) -> computation -> result.

The number comes from ``formulas.compute`` on the extracted inputs, never from a template, so
provenance can recompute it from the facts named in ``meta``.
"""

from __future__ import annotations

from domainsft.dataset import render, signs
from domainsft.dataset.families.base import Context, example, pick, rng
from domainsft.domains.finance.formulas import compute, formulas, names_in
from domainsft.domains.finance.templates import family, templates
from domainsft.numbers import format_number, format_quantity
from domainsft.records import Example, Fact

JUDGE_SHARE = 0.3  # share of derived questions that ask for an assessment (get the disclaimer)


def inputs_for(ctx: Context, report, metric: str) -> tuple[list[Fact], list[Fact]] | None:
    """The current and prior-year facts the formula needs, or None when one is missing."""
    current, prior = names_in(formulas()[metric].expr)
    now = [ctx.index.get(report.doc_id, m, report.year) for m in current]
    before = [ctx.index.prior(report, m) for m in prior]
    if any(f is None for f in now + before):
        return None
    return now, before  # type: ignore[return-value]


def generate(ctx: Context) -> list[Example]:
    out = []
    for report in ctx.index.reports.values():
        for metric in templates()["derived_metrics"]:
            found = inputs_for(ctx, report, metric)
            if found is None:
                continue
            ex = _one(ctx, report, metric, *found)
            if ex is not None:
                out.append(ex)
    return out


def _one(ctx: Context, report, metric: str, now: list[Fact], before: list[Fact]) -> Example | None:
    lang = report.lang
    comp = compute(metric, *signs.inputs(ctx.signs, now, before), lang)
    if comp.value is None:
        return None
    r = rng(ctx, "derived", report.doc_id, metric)
    judge = r.random() < JUDGE_SHARE
    unit = "%" if comp.kind == "percent" else ""
    value = format_number(comp.value, comp.places) + unit
    if comp.kind == "money":  # shown in the unit and scale its inputs were printed in
        unit = now[0].unit
        value = format_quantity(comp.value, unit, now[0].scale, comp.places, lang)
    t = family("derived")
    lines = [
        t["input"][lang].format(
            metric=render.label(f.metric, lang),
            period=render.period(f, lang),
            value=render.value_text(f, lang),
            cite=render.cite(ctx.index.reports[f.doc_id], f.page, lang),
        )
        for f in now + before
    ]
    slots = render.names(report) | {
        "metric": render.label(metric, lang),
        "formula": comp.formula,
        "inputs": "\n".join(lines),
        "sign_note": signs.note(ctx.signs, now + before, lang),
        "steps": "\n".join(comp.steps),
        "value": value,
    }
    q = pick(r, "derived", "judge" if judge else "question", lang).format(**slots)
    a = pick(r, "derived", "answer", lang).format(**slots)
    scale = now[0].scale if comp.kind == "money" else "1"
    gold = {"value": str(comp.value), "unit": unit, "scale": scale, "places": comp.places}
    facts = now + before
    return example(
        "derived", lang, q, a, facts, gold, judgement=judge,
        formula=metric, prior_fact_ids=[f.fact_id for f in before],
    )  # fmt: skip
