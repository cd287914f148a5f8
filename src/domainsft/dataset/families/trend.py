"""Multi-year trend: one company's figures over three or more fiscal years, each year's cell
taken from that year's own report, as a Markdown table (a row per year, i.e. per report; each
cell cites its page), then one sentence per metric on the direction. The sentence describes
the table; it never forecasts."""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise

from domainsft.dataset import render
from domainsft.dataset.corpus import Report
from domainsft.dataset.families.base import Context, cell_of, example, pick, rng
from domainsft.domains.finance.templates import family, templates
from domainsft.records import Example, Fact

GROUP = (1, 3)  # metrics per table
MIN_YEARS = 3


def generate(ctx: Context) -> list[Example]:
    out = []
    for company, reports in ctx.index.by_company.items():
        per_year = list({r.year: r for r in reversed(reports)}.values())[::-1]  # first per year
        if len(per_year) < MIN_YEARS:
            continue
        series = {m: s for m in family("trend")["metrics"] if (s := _series(ctx, per_year, m))}
        metrics = sorted(series)
        r = rng(ctx, "trend", company)
        r.shuffle(metrics)
        while metrics:
            n = min(r.randint(*GROUP), len(metrics))
            group, metrics = sorted(metrics[:n]), metrics[n:]
            out.append(_one(ctx, per_year, {m: series[m] for m in group}))
    return out


def _series(ctx: Context, reports: list[Report], metric: str) -> list[Fact] | None:
    """The metric's own-year figure from each report, or None when a year lacks it."""
    facts = [ctx.index.get(r.doc_id, metric, r.year) for r in reports]
    if any(f is None or f.unit == "text" for f in facts):
        return None
    return facts  # type: ignore[return-value]


def _one(ctx: Context, reports: list[Report], series: dict[str, list[Fact]]) -> Example:
    lang = reports[-1].lang
    first, last = reports[0].year, reports[-1].year
    facts = [f for column in series.values() for f in column]
    r = rng(ctx, "trend", *(f.fact_id for f in facts))
    labels = [render.label(m, lang) for m in series]
    slots = render.names(reports[-1]) | {
        "years": f"{first}-{last}",
        "metrics": _joined(labels, lang),
        "first": str(first),
        "last": str(last),
    }
    header = [templates()["table"]["year"][lang], *(_upper(label) for label in labels)]
    rows = [
        [str(rep.year), *(render.page_cell(column[i], lang) for column in series.values())]
        for i, rep in enumerate(reports)
    ]
    directions = [
        _direction(r, lang, label, [ctx.signs.value(f) for f in column], column, slots)
        for label, column in zip(labels, series.values(), strict=True)
    ]
    q = pick(r, "trend", "question", lang).format(**slots)
    intro = pick(r, "trend", "intro", lang).format(**slots)
    a = "\n".join([intro, render.markdown_table(header, rows), *directions])
    cells = [cell_of(f, render.places(f)) for f in facts]
    return example(
        "trend", lang, q, a, facts, None,
        cells=cells, years=[rep.year for rep in reports], metrics=list(series),
    )  # fmt: skip


def _direction(r, lang: str, label: str, values: list[Decimal], column: list[Fact],
               slots: dict[str, str]) -> str:  # fmt: skip
    """How the metric moved, judged on ``values`` in the formulas' sign: a cost printed as
    (73.0), (78.5), (80.2) rose every year."""
    steps = [b - a for a, b in pairwise(values)]
    if all(s > 0 for s in steps):
        kind = "rising"
    elif all(s < 0 for s in steps):
        kind = "falling"
    else:
        kind = "mixed_up" if values[-1] > values[0] else "mixed_down"
        kind = "flat" if values[-1] == values[0] else kind
    trend = family("trend")[kind][lang].format(**slots)
    return pick(r, "trend", "direction", lang).format(
        **slots, metric=label, trend=trend,
        first_value=render.value_text(column[0], lang),
        last_value=render.value_text(column[-1], lang),
    )  # fmt: skip


def _joined(labels: list[str], lang: str) -> str:
    if len(labels) == 1:
        return labels[0]
    sep = "、" if lang == "zh" else ", "
    return sep.join(labels[:-1]) + family("multi")["and"][lang] + labels[-1]


def _upper(label: str) -> str:
    return label[:1].upper() + label[1:]
