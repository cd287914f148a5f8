"""The figures a run prints: base vs tuned per task, answer mode and family, and forgetting.

``headline`` builds ``RUN/results.json`` from the two evaluations and their comparison;
``render`` turns it into the printed lines. The command prints exactly ``render`` of the file,
and every figure is printed with the four decimals it is stored with, so the printed figures
and ``results.json`` agree digit for digit.

A row is one task (``domainsft_test``, ``domainsft_general``), one answer mode (``model``: the
model alone; ``grounded``: evidence in the prompt; ``verified``: the whole answer pipeline, from
eval's ``assistant`` option) and one family (``all``, or a task family of the dataset's test
split), with exact match and key-number accuracy for the base and the tuned model.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from domainsft.utils.jsonl import InputError

METRICS = ("exact_match", "key_number_accuracy")


def read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: missing; the stage that writes it has not run") from None
    except ValueError as exc:
        raise InputError(f"{path}: unreadable ({exc}); re-run with --from eval") from None


def _value(metrics: dict[str, Any] | None, name: str) -> float | None:
    v = (metrics or {}).get(name)
    return round(float(v), 4) if isinstance(v, int | float) else None


def _rows(task: str, base: dict[str, Any] | None, tuned: dict[str, Any]) -> list[dict[str, Any]]:
    name, _, mode = task.partition("+")
    families = ["all"]
    if tuned.get("suite") == "dataset":  # the general set's categories are not the headline
        families += sorted(tuned.get("by_family", {}))
    rows = []
    for fam in families:
        if fam == "all":
            b, t = (base or {}).get("metrics"), tuned.get("metrics")
        else:
            b, t = (base or {}).get("by_family", {}).get(fam), tuned["by_family"][fam]
        figures = {m: {"base": _value(b, m), "tuned": _value(t, m)} for m in METRICS}
        rows.append({"task": name, "mode": mode or "model", "family": fam, **figures})
    return rows


def headline(base: dict[str, Any], tuned: dict[str, Any], compare: dict[str, Any]) -> dict:
    """``results.json``: ``rows`` (see the module doc) and ``forgetting`` on the general set."""
    rows: list[dict[str, Any]] = []
    for task, summary in tuned.get("tasks", {}).items():
        rows += _rows(task, base.get("tasks", {}).get(task), summary)
    forgetting = (compare.get("forgetting") or {}).get(tuned.get("name"))
    if forgetting:
        forgetting = {k: forgetting[k] for k in ("task", "before", "after", "points", "kept",
                                                 "verdict")}  # fmt: skip
        for k in ("before", "after"):
            forgetting[k] = _value(forgetting, k)
    return {
        "base": {"name": base.get("name"), "model": base.get("model")},
        "tuned": {"name": tuned.get("name"), "model": tuned.get("model")},
        "metrics": list(METRICS),
        "rows": rows,
        "forgetting": forgetting,
    }


def _fmt(v: float | None) -> str:
    return "-" if v is None else f"{v:.4f}"


def render(results: dict[str, Any]) -> list[str]:
    """The printed lines: a header, one line per row, the forgetting line."""
    metrics = results["metrics"]
    lines = [f"{'task':<20} {'mode':<9} {'family':<10} "
             + " ".join(f"{m + ' base -> tuned':<26}" for m in metrics)]  # fmt: skip
    for row in results["rows"]:
        cells = " ".join(
            f"{_fmt(row[m]['base']) + ' -> ' + _fmt(row[m]['tuned']):<26}" for m in metrics
        )
        lines.append(f"{row['task']:<20} {row['mode']:<9} {row['family']:<10} {cells}".rstrip())
    f = results.get("forgetting")
    if f:
        lines.append(
            f"forgetting ({f['task']}, exact match): {_fmt(f['before'])} -> {_fmt(f['after'])}: "
            f"{f['verdict']}"
        )
    else:
        lines.append("forgetting: no general task in both evaluations")
    return lines
