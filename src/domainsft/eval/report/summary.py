"""Task × metric tables with a column per run: values, item counts, and deltas against the
first run, coloured by whether the metric is higher- or lower-is-better."""

from __future__ import annotations

from typing import Any

from domainsft.eval.report.context import (
    Ctx,
    lower_is_better,
    num,
    ordered_union,
    per_task,
    tasks_of,
)
from domainsft.eval.report.markup import anchor, esc, para, section, table


def metric_label(name: str) -> str:
    arrow = ' <span class="dir" title="lower is better">↓</span>' if lower_is_better(name) else ""
    return f"<code>{esc(name)}</code>{arrow}"


def delta(ctx: Ctx, name: str, base: Any, value: Any) -> str:
    """``value - base`` as a coloured badge; green when it moved the good way. Shares move
    in points; the arrow repeats the colour for print and colour-blind readers."""
    b, v = num(base), num(value)
    if b is None or v is None:
        return ""
    d = v - b
    share = name in ctx.shares
    if round(d * 100, 1) == 0 if share else round(d, 2) == 0:
        return ' <span class="delta same">±0</span>'
    text = f"{d * 100:+.1f} pt" if share else f"{d:+,.2f}"
    good = (d < 0) == lower_is_better(name)
    mark, cls = ("▲", "better") if good else ("▼", "worse")
    return f' <span class="delta {cls}">{mark} {text}</span>'


def metric_rows(ctx: Ctx, dicts: list[dict[str, Any]], applicable=None) -> list[list[str]]:
    """One row per metric name (union over runs), one cell per run: the value, how many
    items it was scored on (where ``applicable`` says), and the delta against the first run."""
    applicable = applicable or [{} for _ in dicts]
    rows = []
    for name in ordered_union(dicts):
        cells = [metric_label(name)]
        for i, values in enumerate(dicts):
            cell = esc(ctx.fmt(name, values.get(name)))
            if num(applicable[i].get(name)) is not None:
                cell += (
                    f' <small class="n" title="items scored">n={esc(applicable[i][name])}</small>'
                )
            if i and name != "n":
                cell += delta(ctx, name, dicts[0].get(name), values.get(name))
            cells.append(cell)
        rows.append(cells)
    return rows


def metric_table(ctx: Ctx, dicts: list[dict[str, Any]]) -> str:
    return table(["Metric", *ctx.names], metric_rows(ctx, dicts), "metrics")


def summary(ctx: Ctx, tasks: list[str]) -> str:
    """Task × metric, a column per run; each task opens with its item count."""
    rows: list[list[str]] = []
    for task in tasks:
        info = [tasks_of(run).get(task) or {} for run in ctx.runs]
        block = metric_rows(ctx, [{"n": t.get("n")} for t in info])
        block += metric_rows(ctx, per_task(ctx, task, "metrics"), scored_on(ctx, task, info))
        first = next((t for t in info if t), {})
        kind = " · ".join(esc(first.get(k)) for k in ("suite", "mode") if first.get(k))
        cell = f'<a href="#{anchor(task)}"><b>{esc(task)}</b></a><br><small>{kind}</small>'
        rows += [[cell if j == 0 else "", *row] for j, row in enumerate(block)]
    head = ["Task", "Metric", *ctx.names]
    note = "Deltas are against the first run; ▲ better, ▼ worse." if len(ctx.runs) > 1 else ""
    return section("summary", "Summary", table(head, rows, "summary") + para(note, "note"))


def scored_on(ctx: Ctx, task: str, info: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per run, the metrics scored on fewer items than the task has: only those say n=…"""
    applicable = per_task(ctx, task, "applicable")
    return [
        {k: v for k, v in a.items() if num(v) is not None and num(v) != num(t.get("n"))}
        for a, t in zip(applicable, info, strict=True)
    ]
