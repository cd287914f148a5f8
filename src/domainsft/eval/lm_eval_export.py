"""Export eval tasks for lm-evaluation-harness: flat docs, a task YAML and a metrics module.

``domainsft eval --export-lm-eval DIR --task ...`` writes, per task, ``DIR/<task>.jsonl`` (one
doc per item: the system prompt, the question with its context, the gold answer and what the
metrics need), ``DIR/<task>.yaml`` (lm-eval's task format, reading those docs with its ``json``
loader) and once ``DIR/domainsft_lm_eval.py``, whose ``process_results`` scores each generation
with domainsft's own metrics. Then ``lm_eval --model hf --model_args pretrained=M
--include_path DIR --tasks <task> --apply_chat_template`` gives the same numbers as domainsft.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from domainsft.eval.items import EvalItem
from domainsft.eval.spec import RUNNER_METRICS, TaskSpec
from domainsft.utils.jsonl import InputError

MODULE = "domainsft_lm_eval"
_MODULE_SOURCE = '''"""lm-eval hooks from `domainsft eval --export-lm-eval`: domainsft's metrics."""

import json
import math

from domainsft.eval.items import EvalItem, PageTexts
from domainsft.eval.metrics import MetricEnv, score_item


def process_results(doc, results):
    item = EvalItem(
        id=doc["id"],
        prompt=json.loads(doc["prompt"]),
        reference=doc["reference"] or None,
        gold=json.loads(doc["gold"]),
        family=doc["family"],
        lang=doc["lang"],
        meta=json.loads(doc["meta"]),
    )
    names = json.loads(doc["metrics"])
    scores = score_item(item, results[0], MetricEnv(PageTexts(), doc["mode"]), names or None)
    # lm-eval needs a value per metric: not applicable is NaN, which nanmean leaves out
    return {k: (math.nan if v is None else float(v)) for k, v in scores.items()}


def nanmean(values):
    kept = [v for v in values if not math.isnan(v)]
    return sum(kept) / len(kept) if kept else math.nan
'''


class _Function(str):
    """Dumped as lm-eval's ``!function module.name`` tag."""


yaml.SafeDumper.add_representer(
    _Function, lambda dumper, value: dumper.represent_scalar("!function", str(value))
)


def doc(item: EvalItem, spec: TaskSpec, metrics: list[str]) -> dict[str, Any]:
    system = next((m["content"] for m in item.prompt if m["role"] == "system"), "")
    return {
        "id": item.id,
        "system": system,
        "question": item.question,
        "answer": str((item.gold or {}).get("answer", item.reference or "")),
        "reference": item.reference or "",
        "prompt": json.dumps(item.prompt, ensure_ascii=False),
        "gold": json.dumps(item.gold, ensure_ascii=False),
        "meta": json.dumps(item.meta, ensure_ascii=False),
        "family": item.family,
        "lang": item.lang,
        "mode": spec.mode,
        "metrics": json.dumps(metrics),
    }


def task_yaml(
    spec: TaskSpec, data: Path, metrics: list[str], system: str | None = None
) -> dict[str, Any]:
    from domainsft.eval.metrics import METRICS

    return {
        "task": spec.name,
        # with --apply_chat_template lm-eval sends the description as the system turn
        **({"description": system} if system else {}),
        "dataset_path": "json",
        "dataset_kwargs": {"data_files": {"test": str(data.resolve())}},
        "test_split": "test",
        "output_type": "generate_until",
        "doc_to_text": "{{question}}",
        "doc_to_target": "{{answer}}",
        "generation_kwargs": {
            "until": spec.until,
            "max_gen_toks": spec.max_new_tokens,
            "do_sample": spec.temperature > 0,
            "temperature": spec.temperature,
        },
        "process_results": _Function(f"{MODULE}.process_results"),
        "metric_list": [
            {
                "metric": m,
                "aggregation": _Function(f"{MODULE}.nanmean"),
                "higher_is_better": METRICS[m].higher_is_better,
            }
            for m in metrics
        ],
        "metadata": {"version": 1, "domainsft": {"suite": "dataset", "mode": spec.mode}},
    }


def export(spec: TaskSpec, items: list[EvalItem], out: Path) -> Path:
    """Write one task's docs and YAML (and the shared module) into ``out``; returns the YAML."""
    from domainsft.eval.metrics import METRICS
    from domainsft.utils.jsonl import write_jsonl

    metrics = [m for m in spec.metrics if m not in RUNNER_METRICS] or list(METRICS)
    out.mkdir(parents=True, exist_ok=True)
    data = out / f"{spec.name}.jsonl"
    write_jsonl(data, [doc(it, spec, metrics) for it in items])
    path = out / f"{spec.name}.yaml"
    systems = {next((m["content"] for m in it.prompt if m["role"] == "system"), "") for it in items}
    system = systems.pop() if len(systems) == 1 else None
    if system is None and systems:
        raise InputError(
            f"{spec.where()}: the items have different system prompts; lm-eval takes one "
            "(`description`), so export them as separate tasks"
        )
    spec_yaml = task_yaml(spec, data, metrics, system or None)
    text = yaml.safe_dump(spec_yaml, allow_unicode=True, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    (out / f"{MODULE}.py").write_text(_MODULE_SOURCE, encoding="utf-8")
    return path
