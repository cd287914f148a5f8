"""``domainsft compare``: several eval result folders side by side, and what fine-tuning cost.

The first run is the baseline (e.g. the base model); every later run gets its delta on each
task and metric both have. Forgetting is the change on the general set (task ``general`` or
any task of suite ``general``): the baseline's exact match before, each run's after.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from domainsft.eval.report.forgetting import FORGET_POINTS as KEPT_POINTS
from domainsft.eval.report.forgetting import general_task
from domainsft.utils.jsonl import InputError, read_jsonl, write_json


def load_run(folder: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    import json

    path = folder / "results.json"
    if not path.exists():
        raise InputError(f"{folder}: no results.json; pass folders written by `domainsft eval`")
    try:
        results = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: unreadable ({exc}); re-run `domainsft eval`") from None
    samples_path = folder / "samples.jsonl"
    samples = [r for _, r in read_jsonl(samples_path)] if samples_path.exists() else []
    return results, samples


def deltas(base: dict[str, Any], other: dict[str, Any]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for task, summary in other.get("tasks", {}).items():
        before = base.get("tasks", {}).get(task, {}).get("metrics", {})
        after = summary.get("metrics", {})
        out[task] = {
            m: round(after[m] - before[m], 4)
            for m in after
            if isinstance(after.get(m), int | float) and isinstance(before.get(m), int | float)
        }
    return out


def forgetting(base: dict[str, Any], other: dict[str, Any]) -> dict[str, Any] | None:
    task = general_task(base)
    if task is None or task not in other.get("tasks", {}):
        return None
    before = base["tasks"][task]["metrics"].get("exact_match")
    after = other["tasks"][task]["metrics"].get("exact_match")
    if before is None or after is None:
        return None
    points = round((after - before) * 100, 2)
    kept = points >= -KEPT_POINTS
    if points > KEPT_POINTS:
        verdict = f"general ability kept (improved by {points:.2f} points)"
    elif kept:
        verdict = f"general ability kept (within {KEPT_POINTS:g} points: {points:+.2f})"
    else:
        verdict = f"general ability dropped by {-points:.2f} points"
    return {"task": task, "before": before, "after": after, "points": points, "kept": kept,
            "verdict": verdict}  # fmt: skip


def compare(folders: list[Path], out: Path) -> dict[str, Any]:
    """Write ``compare.json`` and a side-by-side ``report.html`` into ``out``."""
    from domainsft.eval.report import write_report

    if len(folders) < 2:
        raise InputError("compare: give at least two result folders (baseline first)")
    runs, samples = [], {}
    for folder in folders:
        results, recs = load_run(folder)
        name = results.get("name") or folder.name
        if name in samples:
            name = f"{name} ({folder})"
            results["name"] = name
        runs.append(results)
        samples[name] = recs
    base = runs[0]
    summary = {
        "baseline": base.get("name"),
        "runs": [r.get("name") for r in runs],
        "deltas": {r["name"]: deltas(base, r) for r in runs[1:]},
        "forgetting": {r["name"]: forgetting(base, r) for r in runs[1:]},
    }
    out.mkdir(parents=True, exist_ok=True)
    write_json(out / "compare.json", summary)
    write_report(runs, out / "report.html", samples=samples, title="domainsft comparison")
    return summary
