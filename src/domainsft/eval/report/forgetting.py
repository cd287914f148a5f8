"""The forgetting verdict of a comparison: did fine-tuning cost general ability? Each later
run's ``general`` task is judged against the first run's, in one plain-language sentence."""

from __future__ import annotations

from domainsft.eval.report.context import HEADLINE, Ctx, accuracy_like, num, ordered_union, per_task
from domainsft.eval.report.markup import esc, section
from domainsft.eval.report.summary import metric_table

FORGET_TASK = "general"
FORGET_POINTS = 2.0  # a general-ability change within this many points counts as "kept"


def general_task(results: dict) -> str | None:
    """The run's general-set task: named ``general`` (or ``domainsft_general``, the built-in
    spec's lm-eval name), else the first task of suite ``general``."""
    tasks = results.get("tasks") or {}
    if not isinstance(tasks, dict):
        return None
    named = [t for t in tasks if t in (FORGET_TASK, f"domainsft_{FORGET_TASK}")]
    of_suite = [t for t, s in tasks.items() if isinstance(s, dict) and s.get("suite") == "general"]
    return (named or of_suite or [None])[0]


def forgetting(ctx: Ctx) -> str:
    """Did fine-tuning cost general ability? Each later run's ``general`` task against the
    first run's, judged on one headline accuracy with a tolerance of ``FORGET_POINTS``."""
    task = general_task(ctx.runs[0]) or FORGET_TASK
    metrics = per_task(ctx, task, "metrics")
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
