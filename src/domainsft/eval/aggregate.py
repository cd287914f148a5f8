"""Per-sample records → the numbers of ``results.json``: metric means over the samples each
metric applies to, by task family, error categories, latency and token utilisation."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from typing import Any


def mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def percentile(values: list[float], q: float) -> float | None:
    """Linear-interpolated percentile (numpy's default method), q in [0, 100]."""
    if not values:
        return None
    xs = sorted(values)
    pos = (len(xs) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return round(xs[lo] + (xs[hi] - xs[lo]) * (pos - lo), 4)


def geometric_mean(values: list[float]) -> float | None:
    """exp(mean log): the perplexity of a task is exp(mean answer NLL over its items), not
    the mean of per-item perplexities, which one answer the model finds absurd dominates."""
    if not values or any(v <= 0 for v in values):
        return mean(values)
    return round(math.exp(sum(math.log(v) for v in values) / len(values)), 4)


def metric_means(samples: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, int]]:
    """``({metric: mean over applicable samples}, {metric: number applicable})``; perplexity
    is averaged geometrically (see ``geometric_mean``)."""
    values: dict[str, list[float]] = defaultdict(list)
    for s in samples:
        for name, value in s["metrics"].items():
            if value is not None and not (isinstance(value, float) and math.isnan(value)):
                values[name].append(float(value))
    names = {name for s in samples for name in s["metrics"]}
    means = {
        name: (geometric_mean if "perplexity" in name else mean)(values[name])
        for name in sorted(names)
    }
    if means.get("part_recall") is not None:
        means["part_miss_rate"] = round(1 - means["part_recall"], 4)
    scored = [s for s in samples if s.get("verdict")]
    if scored:
        means["unparseable_rate"] = round(
            sum(s["verdict"] == "unparseable" for s in scored) / len(scored), 4
        )
    return means, {name: len(values[name]) for name in sorted(names)}


def by_family(samples: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for s in samples:
        groups[s.get("family") or "all"].append(s)
    out = {}
    for family, group in sorted(groups.items()):
        means, _ = metric_means(group)
        out[family] = {"n": len(group), **{k: v for k, v in means.items() if v is not None}}
    return out


def error_categories(samples: list[dict[str, Any]]) -> dict[str, int]:
    """``correct``, ``wrong:<reason>``, ``unparseable:<reason>``, ``failed`` (no answer)."""
    counts: Counter[str] = Counter()
    for s in samples:
        if s.get("error"):
            counts["failed"] += 1
        elif s.get("verdict"):
            verdict, reason = s["verdict"], s.get("reason") or ""
            counts[verdict if verdict == "correct" or not reason else f"{verdict}:{reason}"] += 1
    return dict(counts.most_common())


def latency(samples: list[dict[str, Any]], wall_s: float) -> dict[str, Any]:
    """Per-answer latency percentiles and aggregate throughput over the generation wall time."""
    times = [s["latency_s"] for s in samples if not s.get("error")]
    new_tokens = sum(s["n_new_tokens"] for s in samples)
    return {
        "p50_s": percentile(times, 50),
        "p95_s": percentile(times, 95),
        "mean_s": mean(times),
        "tokens_per_s": round(new_tokens / wall_s, 2) if wall_s > 0 else None,
        "new_tokens": new_tokens,
        "seconds": round(wall_s, 2),
    }


def token_use(samples: list[dict[str, Any]]) -> dict[str, Any]:
    """Truncated share (answers cut off at max_new_tokens) and padded share (padding positions
    among all positions the batches computed)."""
    n = len(samples) or 1
    prompt = sum(s["n_prompt_tokens"] for s in samples)
    new = sum(s["n_new_tokens"] for s in samples)
    pad = sum(s.get("n_pad_tokens", 0) for s in samples)
    total = prompt + new + pad
    return {
        "truncated_share": round(sum(s["finish_reason"] == "length" for s in samples) / n, 4),
        "padded_share": round(pad / total, 4) if total else 0.0,
        "prompt_tokens": prompt,
        "new_tokens": new,
        "pad_tokens": pad,
    }
