"""What every section of the report needs: the runs, their samples, and what a metric's name
says about it (which way is better, whether it reads as a share).

Metric names are open-ended, so direction and share-ness are read from the names and values,
not from a fixed list of metrics.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

DASH = "–"  # any metric that is missing, null or not a finite number
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


def lower_is_better(name: str) -> bool:
    """Throughputs ("tokens_per_s") end in "_s" too, but more per second is better."""
    if name.endswith("_per_s"):
        return False
    return name in LOWER_IS_BETTER or name.endswith("_s") or any(h in name for h in LOWER_HINTS)


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


def accuracy_like(ctx: Ctx, name: str) -> bool:
    """A share where higher is better: what the verdict and the headline chart compare."""
    return name in ctx.shares and not lower_is_better(name)


def per_task(ctx: Ctx, task: str, key: str) -> list[dict[str, Any]]:
    """``task[key]`` for each run, ``{}`` where the run lacks the task or the key."""
    found = [(tasks_of(run).get(task) or {}).get(key) for run in ctx.runs]
    return [value if isinstance(value, dict) else {} for value in found]


def task_samples(ctx: Ctx, task: str) -> list[list[dict[str, Any]]]:
    """Each run's sample records for ``task`` (empty where none were given)."""
    return [
        [s for s in ctx.samples.get(name) or [] if isinstance(s, dict) and s.get("task") == task]
        for name in ctx.names
    ]
