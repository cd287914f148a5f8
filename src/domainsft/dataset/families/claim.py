"""Claim verification: "the report says X was Y, right?" -> confirm, or correct with the
figure and its citation. A share of claims (default half) carry a perturbed figure."""

from __future__ import annotations

from decimal import Decimal

from domainsft.dataset import render
from domainsft.dataset.families.base import Context, example, gold_of, pick, rng
from domainsft.domains.finance.templates import templates
from domainsft.numbers import format_quantity
from domainsft.records import Example, Fact


def generate(ctx: Context) -> list[Example]:
    out = []
    for report in ctx.index.reports.values():
        for f in ctx.index.current(report):
            if f.unit != "text" and Decimal(f.value) != 0:
                out.append(_one(ctx, report, f))
    return out


def _one(ctx: Context, report, f: Fact) -> Example:
    lang = report.lang
    r = rng(ctx, "claim", f.fact_id)
    false = r.random() < ctx.claim_false_share
    claimed = render.value_text(f, lang)
    if false:
        pct = Decimal(r.choice(templates()["claim_perturbations"]))
        wrong = Decimal(f.value) * (1 + pct / 100)
        claimed = format_quantity(wrong, f.unit, f.scale, render.places(f), lang)
        false = claimed != render.value_text(f, lang)  # a tiny figure can round back to itself
    slots = render.names(report) | {
        "metric": render.label(f.metric, lang),
        "period": render.period(f, lang),
        "value": render.value_text(f, lang),
        "claimed": claimed,
        "cite": render.cite(report, f.page, lang),
    }
    q = pick(r, "claim", "question", lang).format(**slots)
    a = pick(r, "claim", "correct" if false else "confirm", lang).format(**slots)
    return example("claim", lang, q, a, [f], gold_of(f, render.places(f)), claim_true=not false)
