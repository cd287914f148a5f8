"""Active learning: the answers the model was least sure of, as Label Studio tasks.

Confidence is the mean log-probability of the answer's tokens (``GenerationResult``); the N
lowest go to review first, because that is where a label teaches the model the most. The tasks
use the same fields and labeling config as ``domainsft review export``, so the verdicts and
corrections a reviewer gives come back with ``domainsft review import`` where the ids are
dataset examples, or can be read directly from Label Studio's JSON export.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from domainsft.utils.jsonl import write_json
from domainsft.utils.labelstudio import label_config

LABEL_CONFIG = label_config(
    "$example_id ($family, $lang) - confidence $confidence",
    [("Question", "question"), ("Model answer", "answer"), ("Reference (if any)", "reference")],
)


def least_confident(samples: list[dict[str, Any]], n: int) -> list[dict[str, Any]]:
    """The ``n`` samples with the lowest mean log-probability (answers without one last)."""

    def key(s: dict[str, Any]) -> float:
        lp = s.get("mean_logprob")
        return math.inf if lp is None or (isinstance(lp, float) and math.isnan(lp)) else lp

    ranked = sorted((s for s in samples if not s.get("error")), key=key)
    return ranked[:n]


def task(sample: dict[str, Any]) -> dict[str, Any]:
    question = next((m["content"] for m in reversed(sample["prompt"]) if m["role"] == "user"), "")
    lp = sample.get("mean_logprob")
    return {
        "data": {
            "example_id": sample["id"],
            "task": sample["task"],
            "family": sample.get("family") or "",
            "lang": sample.get("lang") or "",
            "split": sample["task"],
            "question": question,
            "answer": sample["output"],
            "reference": sample.get("reference") or "",
            "pages": json.dumps((sample.get("gold") or {}).get("pages") or []),
            "confidence": "n/a" if lp is None else f"{lp:.3f}",
            "messages": sample["prompt"],
        }
    }


def export_uncertain(samples: list[dict[str, Any]], n: int, out: Path) -> dict[str, Any]:
    """Write the ``n`` least confident answers as Label Studio tasks, the config beside them."""
    chosen = least_confident(samples, n)
    write_json(out, [task(s) for s in chosen])
    config = out.with_name(f"{out.stem}.label_config.xml")
    config.write_text(LABEL_CONFIG, encoding="utf-8")
    return {"tasks": len(chosen), "out": str(out), "label_config": str(config)}
