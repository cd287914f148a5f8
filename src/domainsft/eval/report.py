"""``report.html``: one self-contained page showing what ``domainsft eval`` measured.

One run gives a single-model report; several give a side-by-side comparison in which the first
run is the baseline: every later value carries its delta, coloured by whether the metric is
higher- or lower-is-better, and the ``general`` task gets a plain-language forgetting verdict.

The page carries its own CSS and inline SVG (``charts.py``) and a Content-Security-Policy that
forbids scripts and network loads, so it opens offline, prints, and cannot run anything a model
wrote. Every string that comes from the data goes through ``html.escape`` (``esc``) first;
functions here return HTML fragments that are already safe to concatenate.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from domainsft.eval import charts

DASH = "–"  # any metric that is missing, null or not a finite number
FORGET_TASK = "general"
FORGET_POINTS = 2.0  # a general-ability change within this many points counts as "kept"
# Headline metrics: drawn before/after and used for the forgetting verdict, in this order.
HEADLINE = (
    "exact_match",
    "key_number_accuracy",
    "cot_consistency",
    "part_recall",
    "citation_precision",
    "citation_recall",
    "disclaimer_ok",
)
# Lower is better for these names, for any name containing one of LOWER_HINTS, and for names
# ending in "_s" (seconds) except throughputs ending in "_per_s". Everything else is
# higher-is-better: accuracies, recalls, precisions, "*_ok" shares. Metric names are open-ended,
# so the hints catch the new ones ("numbers_missed_rate", "ttft_s") without a code change.
LOWER_IS_BETTER = frozenset(
    {"perplexity", "hallucinated_number_rate", "part_miss_rate", "unparseable_rate"}
)
LOWER_HINTS = ("miss", "halluc", "perplexity", "unparseable", "truncated", "padded")
# Never shown as a percentage even when every value lies in [0, 1].
NOT_SHARES = ("perplexity", "token", "logprob", "latency", "seconds")
MAX_EXAMPLES = 4  # failures shown per task and run
CLIP = 700  # characters kept of a question, an output or a gold answer


def lower_is_better(name: str) -> bool:
    """Throughputs ("tokens_per_s") end in "_s" too, but more per second is better."""
    if name.endswith("_per_s"):
        return False
    return name in LOWER_IS_BETTER or name.endswith("_s") or any(h in name for h in LOWER_HINTS)


def esc(value: Any) -> str:
    return escape(str(value), quote=True)


def num(value: Any) -> float | None:
    """The value as a finite float, or None (missing, null, text, NaN)."""
    if isinstance(value, bool | int | float) and math.isfinite(value):
        return float(value)
    return None


@dataclass
class Ctx:
    """What every section needs: the runs (first = baseline), their samples, and which metric
    names read as shares (percent, deltas in points) rather than raw numbers."""

    runs: list[dict[str, Any]]
    samples: dict[str, list[dict[str, Any]]]
    shares: set[str]

    @property
    def names(self) -> list[str]:
        return [run_name(run, i) for i, run in enumerate(self.runs)]

    def fmt(self, name: str, value: Any) -> str:
        """Shares as percent; JSON integers (counts) whole; other numbers to 2 decimals."""
        v = num(value)
        if v is None:
            return DASH
        if name in self.shares:
            return f"{v * 100:.1f}%"
        whole = isinstance(value, int) or abs(v) >= 1000
        return f"{v:,.0f}" if whole else f"{v:,.2f}"


def run_name(run: dict[str, Any], index: int) -> str:
    return str(run.get("name") or f"run {index + 1}")


def tasks_of(run: dict[str, Any]) -> dict[str, dict[str, Any]]:
    tasks = run.get("tasks")
    tasks = tasks if isinstance(tasks, dict) else {}
    return {str(name): task for name, task in tasks.items() if isinstance(task, dict)}


def ordered_union(lists: Any) -> list[str]:
    """Keys in order of first appearance: the first run's order wins, later runs append."""
    seen: dict[str, None] = {}
    for keys in lists:
        seen.update((str(k), None) for k in keys)
    return list(seen)


def share_metrics(runs: list[dict[str, Any]]) -> set[str]:
    """Metric names whose every value lies in [0, 1] and which are not counts, times or
    perplexities: those read best as percentages, and their deltas as points."""
    values: dict[str, list[float | None]] = {}
    for run in runs:
        for task in tasks_of(run).values():
            tables = [task.get(k) for k in ("metrics", "tokens", "latency")]
            tables += list((task.get("by_family") or {}).values())
            for table in tables:
                for name, value in (table if isinstance(table, dict) else {}).items():
                    values.setdefault(name, []).append(num(value))
    return {
        name
        for name, vals in values.items()
        if name != "n"
        and not name.endswith("_s")
        and not any(h in name for h in NOT_SHARES)
        and all(v is None or 0.0 <= v <= 1.0 for v in vals)
    }


def write_report(
    runs: list[dict[str, Any]],
    out: Path,
    samples: dict[str, list[dict[str, Any]]] | None = None,
    title: str = "domainsft evaluation",
) -> Path:
    """Write ``out`` (one HTML file, nothing beside it) and return its path."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_report(runs, samples, title), encoding="utf-8")
    return out


def render_report(
    runs: list[dict[str, Any]],
    samples: dict[str, list[dict[str, Any]]] | None = None,
    title: str = "domainsft evaluation",
) -> str:
    if not runs:
        raise ValueError("write_report needs at least one run (the content of a results.json)")
    ctx = Ctx(list(runs), dict(samples or {}), share_metrics(runs))
    tasks = ordered_union(tasks_of(run) for run in runs)
    body = [
        header(ctx, title),
        nav(tasks, len(runs) > 1),
        forgetting(ctx) if len(runs) > 1 else "",
        summary(ctx, tasks),
        *(task_section(ctx, task) for task in tasks),
    ]
    return page(title, "".join(body))


def page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
        f"<title>{esc(title)}</title><style>{charts.STYLE}</style></head>"
        f'<body><main class="report">{body}<footer>Generated by domainsft. '
        "Lower-is-better metrics are marked ↓.</footer></main></body></html>\n"
    )


def header(ctx: Ctx, title: str) -> str:
    """Title and one row per run: which model, adapter and endpoint, when, which version."""
    compare = len(ctx.runs) > 1
    rows = [run_row(ctx, i, compare) for i in range(len(ctx.runs))]
    head = ["Run", "Model", "Adapter", "Endpoint", "Created", "domainsft"]
    kind = f"comparison of {len(ctx.runs)} runs" if compare else "single run"
    return (
        f'<header><h1>{esc(title)}</h1><p class="sub">{kind}</p>'
        f"{table(head, rows, 'runs')}</header>"
    )


def run_row(ctx: Ctx, index: int, compare: bool) -> list[str]:
    run = ctx.runs[index]
    model = run.get("model")
    model = model if isinstance(model, dict) else {"model": model}
    tag = ' <span class="tag">baseline</span>' if compare and index == 0 else ""
    return [
        swatch(index) + esc(ctx.names[index]) + tag,
        *(esc(model.get(k) or DASH) for k in ("model", "adapter", "endpoint")),
        esc(run.get("created") or DASH),
        esc(run.get("domainsft_version") or DASH),
    ]


def swatch(index: int) -> str:
    return f'<span class="swatch" style="background:{charts.run_colour(index)}"></span>'


def nav(tasks: list[str], compare: bool) -> str:
    links = [("summary", "Summary"), *([("forgetting", "Forgetting")] if compare else [])]
    links += [(anchor(t), f"Task: {t}") for t in tasks]
    items = "".join(f'<li><a href="#{a}">{esc(label)}</a></li>' for a, label in links)
    return f'<nav aria-label="Contents"><ul>{items}</ul></nav>'


def anchor(task: str) -> str:
    """A fragment id for a task name; the hex keeps CJK or odd names unique and valid."""
    return "task-" + task.encode("utf-8").hex()


def table(head: list[str], rows: list[list[str]], cls: str = "") -> str:
    """A scrollable table; ``head`` is plain text, ``rows`` hold ready HTML cells."""
    th = "".join(f"<th>{esc(h)}</th>" for h in head)
    trs = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return (
        f'<div class="scroll"><table class="{cls}"><thead><tr>{th}</tr></thead>'
        f"<tbody>{trs}</tbody></table></div>"
    )


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


def per_task(ctx: Ctx, task: str, key: str) -> list[dict[str, Any]]:
    """``task[key]`` for each run, ``{}`` where the run lacks the task or the key."""
    found = [(tasks_of(run).get(task) or {}).get(key) for run in ctx.runs]
    return [value if isinstance(value, dict) else {} for value in found]


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


def section(ident: str, title: str, body: str) -> str:
    return f'<section id="{esc(ident)}"><h2>{esc(title)}</h2>{body}</section>'


def para(text: str, cls: str) -> str:
    return f'<p class="{cls}">{esc(text)}</p>' if text else ""


def forgetting(ctx: Ctx) -> str:
    """Did fine-tuning cost general ability? Each later run's ``general`` task against the
    first run's, judged on one headline accuracy with a tolerance of ``FORGET_POINTS``."""
    metrics = per_task(ctx, FORGET_TASK, "metrics")
    verdicts = []
    for i in range(1, len(ctx.runs)):
        if metrics[0] and metrics[i]:
            verdicts.append(verdict(ctx, metrics[0], metrics[i], ctx.names[0], ctx.names[i]))
        else:
            missing = ctx.names[0] if not metrics[0] else ctx.names[i]
            why = f"{ctx.names[i]}: not judged, {missing} has no {FORGET_TASK!r} task metrics."
            verdicts.append(("same", why))
    body = "".join(f'<p class="verdict {cls}">{esc(text)}</p>' for cls, text in verdicts)
    if any(metrics[1:]) and metrics[0]:
        body += metric_table(ctx, metrics)
    return section("forgetting", f"Forgetting ({FORGET_TASK} task)", body)


def verdict(ctx: Ctx, before: dict, after: dict, base: str, name: str) -> tuple[str, str]:
    """(css class, sentence) for one run's general task against the baseline's."""
    both = [m for m in ordered_union([HEADLINE, after]) if num(before.get(m)) is not None]
    metric = next(
        (m for m in both if accuracy_like(ctx, m) and num(after.get(m)) is not None), None
    )
    if metric is None:
        return "same", f"{name}: not judged, no accuracy metric in both {FORGET_TASK} tasks."
    points = (num(after[metric]) - num(before[metric])) * 100
    detail = f"({metric} {ctx.fmt(metric, before[metric])} in {base} → "
    detail += f"{ctx.fmt(metric, after[metric])} in {name})"
    if points < -FORGET_POINTS:
        return "worse", f"{name}: general ability dropped by {-points:.1f} points {detail}."
    if points > FORGET_POINTS:
        return "better", f"{name}: general ability improved by {points:.1f} points {detail}."
    return "same", f"{name}: general ability kept within {FORGET_POINTS:g} points {detail}."


def accuracy_like(ctx: Ctx, name: str) -> bool:
    """A share where higher is better: what the verdict and the headline chart compare."""
    return name in ctx.shares and not lower_is_better(name)


def figure(title: str, content: str, legend: str = "") -> str:
    return f"<figure><figcaption>{esc(title)}</figcaption>{legend}{content}</figure>"


def run_legend(ctx: Ctx) -> str:
    items = [(n, charts.run_colour(i)) for i, n in enumerate(ctx.names)]
    return charts.legend(items) if len(items) > 1 else ""


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


def task_samples(ctx: Ctx, task: str) -> list[list[dict[str, Any]]]:
    """Each run's sample records for ``task`` (empty where none were given)."""
    return [
        [s for s in ctx.samples.get(name) or [] if isinstance(s, dict) and s.get("task") == task]
        for name in ctx.names
    ]


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


def examples(ctx: Ctx, task: str) -> str:
    """A few failing items per run, collapsed: enough to see what kind of wrong it is."""
    if not ctx.samples:
        return figure("Example failures", para("No samples given.", "empty"))
    blocks = []
    for i, recs in enumerate(task_samples(ctx, task)):
        fails = [s for s in recs if not str(s.get("verdict") or "correct").startswith("correct")]
        blocks += [example(i, ctx.names[i], s) for s in fails[:MAX_EXAMPLES]]
        if len(fails) > MAX_EXAMPLES:
            blocks.append(
                para(f"{ctx.names[i]}: {len(fails) - MAX_EXAMPLES} more in samples.jsonl", "note")
            )
    return figure(
        "Example failures", "".join(blocks) or para("No failures in the samples.", "empty")
    )


def example(index: int, run: str, rec: dict[str, Any]) -> str:
    head = " · ".join(esc(rec.get(k)) for k in ("id", "family", "lang") if rec.get(k) is not None)
    fields = [
        ("Question", question(rec.get("prompt"))),
        ("Output", rec.get("output")),
        ("Gold", as_text(rec.get("gold"))),
        ("Reference", rec.get("reference")),
        ("Reason", rec.get("reason")),
    ]
    dl = "".join(
        f"<dt>{k}</dt><dd><pre>{esc(clip(str(v)))}</pre></dd>"
        for k, v in fields
        if v not in (None, "")
    )
    reason = clip(str(rec.get("reason") or ""), 90)
    return (
        f'<details class="example"><summary>{swatch(index)}{esc(run)} · {head} · '
        f"<b>{esc(rec.get('verdict'))}</b> {esc(reason)}</summary><dl>{dl}</dl></details>"
    )


def question(prompt: Any) -> str:
    """The last user message: the question comes after any retrieved context."""
    if isinstance(prompt, str):
        return prompt
    users = [m for m in prompt or [] if isinstance(m, dict) and m.get("role") == "user"]
    content = users[-1].get("content", "") if users else ""
    if isinstance(content, list):  # OpenAI content parts
        content = " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return str(content)


def as_text(value: Any) -> str | None:
    """A gold record as "answer: 11.75亿元; unit: 亿元" rather than raw JSON."""
    if isinstance(value, dict):
        return "; ".join(f"{k}: {as_text(v)}" for k, v in value.items())
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def clip(text: str, limit: int = CLIP) -> str:
    """Head and tail of a long text: outputs matter at the start, prompts at the end."""
    if len(text) <= limit:
        return text
    head = limit // 3
    return f"{text[:head]} … [{len(text) - limit} characters cut] … {text[-(limit - head) :]}"
