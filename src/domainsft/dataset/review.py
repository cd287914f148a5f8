"""Human review in Label Studio: a seeded sample out as tasks, the verdicts back as examples.

``export_tasks`` writes Label Studio's task import format (a JSON list of ``{"data": {...}}``)
and, beside it, the labeling config to paste under Settings -> Labeling Interface: the question,
the answer and the cited pages, a choice ok/wrong and a text area for the corrected answer.
``import_review`` reads Label Studio's JSON export (each task as exported, with
``"annotations": [{"result": [{"from_name", "type", "value"}, ...]}]``, see
https://labelstud.io/guide/task_format) and writes the reviewed examples: those marked ok as
they were, corrected ones with the reviewer's answer, both with ``meta.reviewed = True``.
Examples marked wrong without a correction go to a rejects file with the reason.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from domainsft.dataset import mix
from domainsft.dataset.provenance import load_examples
from domainsft.records import Example
from domainsft.utils.jsonl import InputError, write_json, write_jsonl
from domainsft.utils.labelstudio import VERDICTS, label_config

LABEL_CONFIG = label_config(
    "$example_id ($family, $lang, $split)",
    [("Question", "question"), ("Answer", "answer"), ("Cited pages", "pages")],
    note=True,
)


def config_path(tasks: Path) -> Path:
    """``tasks.json`` -> ``tasks.label_config.xml`` beside it."""
    return tasks.with_name(f"{tasks.stem}.label_config.xml")


def export_tasks(dataset: Path, split: str, n: int, seed: int, out: Path) -> dict[str, Any]:
    """``n`` examples of ``split`` (a seeded sample, stable for a seed) as Label Studio tasks."""
    examples = [ex for ex in load_examples(dataset) if ex.meta.get("split") == split]
    if not examples:
        raise InputError(f"{dataset}/{split}.jsonl: no examples to review")
    chosen = mix.sample(examples, n, seed, "review")
    write_json(out, [task(ex) for ex in chosen])
    config_path(out).write_text(LABEL_CONFIG, encoding="utf-8")
    return {"tasks": len(chosen), "out": str(out), "label_config": str(config_path(out))}


def task(ex: Example) -> dict[str, Any]:
    return {
        "data": {
            "example_id": ex.id,
            "split": ex.meta.get("split", ""),
            "family": ex.meta.get("family", ""),
            "lang": ex.meta.get("lang", ""),
            "system": next((m["content"] for m in ex.messages if m["role"] == "system"), ""),
            "question": _last(ex, "user"),
            "answer": _last(ex, "assistant"),
            "pages": _pages(ex.meta.get("pages", [])),
        }
    }


def _last(ex: Example, role: str) -> str:
    return next((m["content"] for m in reversed(ex.messages) if m["role"] == role), "")


def _pages(pages: list[list[Any]]) -> str:
    by_doc: dict[str, list[str]] = {}
    for doc, page in pages:
        by_doc.setdefault(doc, []).append(str(page))
    return "; ".join(f"document {d[:12]}: p. {', '.join(p)}" for d, p in by_doc.items()) or "none"


def import_review(export: Path, dataset: Path, out: Path) -> dict[str, Any]:
    """Apply a Label Studio JSON export to the dataset's examples; returns the summary.

    Writes ``out`` (ok + corrected examples), ``<out>.rejects.jsonl`` and
    ``<out>.summary.json`` beside it. Skipped tasks and tasks without an annotation count as
    unreviewed and are left out.
    """
    tasks = _read_export(export)
    examples = {ex.id: ex for ex in load_examples(dataset)}
    kept, rejects, counts = [], [], Counter({k: 0 for k in ("ok", "corrected", "rejected")})
    for i, t in enumerate(tasks):
        where = f"{export}: task {i} (Label Studio id {t.get('id', '?')})"
        ex = _example_for(t, examples, where, dataset)
        outcome = _verdict(t, where)
        if outcome is None:
            counts["unreviewed"] += 1
            continue
        verdict, corrected, note = outcome
        status = _apply(ex, verdict, corrected, note)
        counts[status] += 1
        if status == "rejected":
            rejects.append({"id": ex.id, "reason": "reviewer marked it wrong, no correction",
                            "note": note})  # fmt: skip
        else:
            kept.append(ex.to_dict())
    write_jsonl(out, kept)
    write_jsonl(out.with_name(f"{out.stem}.rejects.jsonl"), rejects)
    summary = {"tasks": len(tasks), **counts, "out": str(out)}
    write_json(out.with_name(f"{out.stem}.summary.json"), summary)
    return summary


def _read_export(path: Path) -> list[dict[str, Any]]:
    hint = "export the project from Label Studio as JSON (Export -> JSON), not JSON-MIN or CSV"
    if not path.is_file():
        raise InputError(f"{path}: file not found; {hint}")
    try:
        tasks = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not valid JSON ({exc}); {hint}") from None
    if not isinstance(tasks, list) or not all(isinstance(t, dict) for t in tasks):
        raise InputError(f"{path}: expected a JSON list of tasks; {hint}")
    return tasks


def _example_for(t: dict, examples: dict[str, Example], where: str, dataset: Path) -> Example:
    data = t.get("data")
    if not isinstance(data, dict) or "example_id" not in data:
        raise InputError(
            f"{where}: no `data.example_id`; import only tasks written by "
            "`domainsft review export`, exported from Label Studio as JSON"
        )
    ex = examples.get(data["example_id"])
    if ex is None:
        raise InputError(
            f"{where}: example {data['example_id']} is not in {dataset}; pass the --dataset "
            "the tasks were exported from"
        )
    return ex


def _verdict(t: dict[str, Any], where: str) -> tuple[str | None, str, str] | None:
    """``(verdict, corrected answer, note)`` of the latest submitted annotation, or None."""
    done = [a for a in t.get("annotations") or [] if not a.get("was_cancelled") and a.get("result")]
    if not done:
        return None
    latest = max(enumerate(done), key=lambda ia: (ia[1].get("updated_at") or "", ia[0]))[1]
    verdict, fields = None, {"corrected": "", "note": ""}
    for region in latest["result"]:
        value = region.get("value") or {}
        if region.get("from_name") == "verdict":
            verdict = (value.get("choices") or [None])[0]
        elif region.get("from_name") in fields:
            fields[region["from_name"]] = "\n".join(value.get("text") or []).strip()
    if verdict is not None and verdict not in VERDICTS:
        raise InputError(
            f"{where}: verdict {verdict!r} is not one of {VERDICTS}; label with the config "
            "written by `domainsft review export`"
        )
    if verdict is None and not fields["corrected"]:
        return None  # only a note: not a review
    return verdict, fields["corrected"], fields["note"]


def _apply(ex: Example, verdict: str | None, corrected: str, note: str) -> str:
    """Mark ``ex`` reviewed; a correction wins over the choice (a reviewer who typed a new
    answer meant it). Returns ok, corrected or rejected."""
    answer = next(m for m in reversed(ex.messages) if m["role"] == "assistant")
    if corrected and corrected != answer["content"].strip():
        ex.meta["original_answer"] = answer["content"]
        answer["content"] = corrected
        status = "corrected"
    else:
        status = "rejected" if verdict == "wrong" else "ok"
    ex.meta.update(reviewed=True, review=status, review_note=note)
    return status
