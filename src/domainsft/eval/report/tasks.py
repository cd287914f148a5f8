"""One section per task: the headline metrics run by run (in a comparison), accuracy by task
family, error categories, latency, token utilisation and a few failing examples. Each part
that the results do not record says so instead of vanishing."""

from __future__ import annotations

from typing import Any

from domainsft.eval.report import charts
from domainsft.eval.report.context import (
    DASH,
    HEADLINE,
    Ctx,
    accuracy_like,
    num,
    ordered_union,
    per_task,
    task_samples,
)
from domainsft.eval.report.examples import examples
from domainsft.eval.report.markup import anchor, esc, figure, para, section, table
from domainsft.eval.report.summary import metric_table


def task_section(ctx: Ctx, task: str) -> str:
    parts = [
        headline_chart(ctx, task) if len(ctx.runs) > 1 else "",
        families(ctx, task),
        errors(ctx, task),
        latency(ctx, task),
        tokens(ctx, task),
        examples(ctx, task),
    ]
    return section(anchor(task), f"Task: {task}", "".join(parts))


def run_legend(ctx: Ctx) -> str:
    items = [(n, charts.run_colour(i)) for i, n in enumerate(ctx.names)]
    return charts.legend(items) if len(items) > 1 else ""


def run_series(ctx: Ctx, rows: list[dict[str, Any]], keys: list[str]) -> list[charts.Series]:
    """One chart series per run (its colour, its value for each key)."""
    return [
        (name, charts.run_colour(i), [num(rows[i].get(k)) for k in keys])
        for i, name in enumerate(ctx.names)
    ]


def not_recorded(title: str) -> str:
    return figure(title, para("Not recorded for this task.", "empty"))


def headline_chart(ctx: Ctx, task: str) -> str:
    """Before/after columns for the higher-is-better share metrics, headline ones first."""
    metrics = per_task(ctx, task, "metrics")
    names = [m for m in ordered_union([HEADLINE, *metrics]) if any(m in d for d in metrics)]
    names = [m for m in names if accuracy_like(ctx, m)][:8]
    if not names:
        return ""
    fmt = lambda v: ctx.fmt(names[0], v)  # noqa: E731
    pct = lambda v: f"{v * 100:.0f}%"  # noqa: E731
    series = run_series(ctx, metrics, names)
    chart = charts.columns(names, series, fmt, f"{task}: headline metrics", vmax=1.0, ticks=pct)
    return figure("Headline metrics, run by run", chart, run_legend(ctx))


def families(ctx: Ctx, task: str) -> str:
    """Accuracy per task family (lookup, derived, …) as bars, all family metrics in a table."""
    by_family = per_task(ctx, task, "by_family")
    fams = ordered_union(by_family)
    if not fams:
        return not_recorded("Accuracy by task family")
    rows = [d.get(f) or {} for d in by_family for f in fams]
    found = [m for m in ordered_union([HEADLINE, *rows]) if m != "n" and any(m in r for r in rows)]
    metric = found[0] if found else "n"
    values = [{f: (d.get(f) or {}).get(metric) for f in fams} for d in by_family]
    labels = [f"{f} (n={family_n(by_family, f)})" for f in fams]
    vmax = 1.0 if metric in ctx.shares else None
    fmt = lambda v: ctx.fmt(metric, v)  # noqa: E731
    chart = charts.hbars(labels, run_series(ctx, values, fams), fmt, f"{task}: by family", vmax)
    detail = "".join(
        f"<h4>{esc(f)}</h4>" + metric_table(ctx, [d.get(f) or {} for d in by_family]) for f in fams
    )
    more = f"<details><summary>All metrics per family</summary>{detail}</details>"
    return figure(f"{metric} by task family", chart + more, run_legend(ctx))


def family_n(by_family: list[dict[str, Any]], family: str) -> str:
    """The family's item count; one number when every run agrees, else one per run."""
    ns = [str((d.get(family) or {}).get("n", DASH)) for d in by_family]
    return ns[0] if len(set(ns)) == 1 else "/".join(ns)


def errors(ctx: Ctx, task: str) -> str:
    """Verdict categories ("wrong:scale", …): bars coloured by kind for one run, by run for
    several, and a table of counts with each category's share of the run's items."""
    counts = per_task(ctx, task, "errors")
    total = lambda c: sum(num(d.get(c)) or 0 for d in counts)  # noqa: E731
    cats = sorted(ordered_union(counts), key=lambda c: (not c.startswith("correct"), -total(c)))
    if not cats:
        return not_recorded("Error categories")
    series = run_series(ctx, counts, cats)
    if len(series) == 1:
        series = [(series[0][0], [charts.kind_colour(c) for c in cats], series[0][2])]
    count = lambda v: DASH if v is None else f"{v:,.0f}"  # noqa: E731
    chart = charts.hbars(cats, series, count, f"{task}: error categories")
    return figure("Error categories", chart + error_table(ctx, counts, cats), run_legend(ctx))


def error_table(ctx: Ctx, counts: list[dict[str, Any]], cats: list[str]) -> str:
    totals = [sum(num(v) or 0 for v in d.values()) or 1 for d in counts]
    rows = [
        [esc(c), *(count_cell(d.get(c), total) for d, total in zip(counts, totals, strict=True))]
        for c in cats
    ]
    return table(["Category", *ctx.names], rows, "counts")


def count_cell(count: Any, total: float) -> str:
    value = num(count)
    if value is None:
        return DASH
    return f'{value:,.0f} <small class="n">{value / total * 100:.1f}%</small>'


def latency(ctx: Ctx, task: str) -> str:
    """A histogram of per-item latency when samples were given, else the p50/p95/mean bars
    from results.json; the table always shows every latency figure recorded."""
    stats = per_task(ctx, task, "latency")
    chart, title = latency_histogram(ctx, task), "Latency per item (seconds, from samples)"
    keys = [k for k in ("p50_s", "p95_s", "mean_s") if any(k in d for d in stats)]
    if not chart and keys:
        fmt = lambda v: ctx.fmt("s", v)  # noqa: E731
        chart = charts.hbars(keys, run_series(ctx, stats, keys), fmt, f"{task}: latency")
        title = "Latency (seconds)"
    if not chart and not any(stats):
        return not_recorded("Latency")
    table_html = metric_table(ctx, stats) if any(stats) else ""
    return figure(title if chart else "Latency", chart + table_html, run_legend(ctx))


def latency_histogram(ctx: Ctx, task: str) -> str:
    """Histogram of the samples' ``latency_s``, one colour per run; "" without samples."""
    series = [
        (
            name,
            charts.run_colour(i),
            [v for s in recs if (v := num(s.get("latency_s"))) is not None],
        )
        for i, (name, recs) in enumerate(zip(ctx.names, task_samples(ctx, task), strict=True))
    ]
    series = [s for s in series if s[2]]
    return charts.histogram(series, "s", f"{task}: latency per item") if series else ""


def tokens(ctx: Ctx, task: str) -> str:
    """How much of the context the prompts used: truncated and padded shares, token counts."""
    stats = per_task(ctx, task, "tokens")
    if not any(stats):
        return not_recorded("Token utilisation")
    keys = [k for k in ordered_union(stats) if k in ctx.shares]
    chart = ""
    if keys:
        fmt = lambda v: ctx.fmt(keys[0], v)  # noqa: E731
        chart = charts.hbars(keys, run_series(ctx, stats, keys), fmt, f"{task}: token shares", 1.0)
    return figure("Token utilisation", chart + metric_table(ctx, stats), run_legend(ctx))
