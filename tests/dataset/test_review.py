"""Label Studio review: export tasks + labeling config, import an export, round trip via CLI."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest
from typer.testing import CliRunner

from domainsft.cli import app
from domainsft.dataset.provenance import load_examples
from domainsft.dataset.review import config_path, export_tasks, import_review
from domainsft.utils.jsonl import InputError


def _run(args: list[str]) -> str:
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    return res.output


def _annotation(n: int, verdict: str | None, corrected: str = "", **extra) -> dict:
    """One annotation as Label Studio exports it (Export -> JSON)."""
    result = []
    if verdict:
        result.append({"id": f"v{n}", "from_name": "verdict", "to_name": "answer",
                       "type": "choices", "origin": "manual",
                       "value": {"choices": [verdict]}})  # fmt: skip
    if corrected:
        result.append({"id": f"c{n}", "from_name": "corrected", "to_name": "answer",
                       "type": "textarea", "origin": "manual",
                       "value": {"text": [corrected]}})  # fmt: skip
    return {
        "id": 1000 + n, "completed_by": 1, "result": result, "was_cancelled": False,
        "ground_truth": False, "created_at": f"2024-05-{1 + n:02d}T10:00:00.000000Z",
        "updated_at": f"2024-05-{1 + n:02d}T10:00:00.000000Z", "lead_time": 12.5,
        "prediction": {}, "result_count": 0, "task": n, "project": 3, **extra,
    }  # fmt: skip


def _as_exported(tasks: list[dict], annotations: list[list[dict]]) -> list[dict]:
    return [
        {"id": i, "data": t["data"], "annotations": a, "drafts": [], "predictions": [],
         "meta": {}, "created_at": "2024-05-01T09:00:00Z", "updated_at": "2024-05-01T09:00:00Z",
         "inner_id": i, "total_annotations": len(a), "cancelled_annotations": 0,
         "project": 3, "file_upload": "tasks.json"}
        for i, (t, a) in enumerate(zip(tasks, annotations, strict=True))
    ]  # fmt: skip


def test_export_writes_tasks_and_a_matching_label_config(built, tmp_path):
    _, dataset = built
    out = tmp_path / "tasks.json"
    summary = export_tasks(dataset, "test", 8, 0, out)
    tasks = json.loads(out.read_text("utf-8"))
    assert summary["tasks"] == len(tasks) == 8
    test_ids = {ex.id for ex in load_examples(dataset) if ex.meta["split"] == "test"}
    for t in tasks:
        data = t["data"]
        assert data["example_id"] in test_ids and data["split"] == "test"
        assert data["question"] and data["answer"] and data["pages"]
    config = config_path(out).read_text("utf-8")
    root = ET.fromstring(config)
    names = {el.get("name") for el in root.iter() if el.get("name")}
    assert {"verdict", "corrected"} <= names
    assert set(re.findall(r"\$(\w+)", config)) <= set(tasks[0]["data"])
    again = tmp_path / "again.json"
    export_tasks(dataset, "test", 8, 0, again)
    assert again.read_bytes() == out.read_bytes()
    export_tasks(dataset, "test", 8, 1, again)
    assert again.read_bytes() != out.read_bytes()


def test_round_trip_through_the_cli(built, tmp_path):
    _, dataset = built
    tasks_path = tmp_path / "tasks.json"
    _run(["review", "export", "--dataset", str(dataset), "--split", "test", "--n", "6",
          "--seed", "0", "--out", str(tasks_path)])  # fmt: skip
    tasks = json.loads(tasks_path.read_text("utf-8"))
    fixed = "Corrected: 42.00 (see p. 3)"
    newer = _annotation(9, "ok")
    annotations = [
        [_annotation(0, "ok")],
        [_annotation(1, "wrong", fixed)],
        [_annotation(2, "wrong")],
        [_annotation(3, "ok", was_cancelled=True)],  # skipped in Label Studio
        [],  # never labelled
        [_annotation(5, "wrong"), newer],  # the latest annotation counts
    ]
    export_path = tmp_path / "tasks_export.json"
    export_path.write_text(json.dumps(_as_exported(tasks, annotations)), encoding="utf-8")
    out = tmp_path / "corrected.jsonl"
    printed = _run(["review", "import", str(export_path), "--dataset", str(dataset),
                    "--out", str(out)])  # fmt: skip
    assert "2 ok, 1 corrected, 1 rejected, 2 unreviewed" in printed

    summary = json.loads((tmp_path / "corrected.summary.json").read_text("utf-8"))
    assert summary | {"out": None} == {"tasks": 6, "ok": 2, "corrected": 1, "rejected": 1,
                                       "unreviewed": 2, "out": None}  # fmt: skip
    written = {r["id"]: r for r in map(json.loads, out.read_text("utf-8").splitlines())}
    ids = [t["data"]["example_id"] for t in tasks]
    assert set(written) == {ids[0], ids[1], ids[5]}
    originals = {ex.id: ex for ex in load_examples(dataset)}
    corrected = written[ids[1]]
    assert corrected["messages"][-1] == {"role": "assistant", "content": fixed}
    assert corrected["messages"][:-1] == originals[ids[1]].messages[:-1]
    assert corrected["meta"]["original_answer"] == originals[ids[1]].messages[-1]["content"]
    assert corrected["meta"]["reviewed"] is True and corrected["meta"]["review"] == "corrected"
    for i in (0, 5):
        assert written[ids[i]]["messages"] == originals[ids[i]].messages
        assert written[ids[i]]["meta"]["review"] == "ok" and written[ids[i]]["meta"]["reviewed"]
    rejects = [json.loads(x) for x in (tmp_path / "corrected.rejects.jsonl").read_text("utf-8")
               .splitlines()]  # fmt: skip
    assert [r["id"] for r in rejects] == [ids[2]]


def test_import_errors_name_the_task_and_the_fix(built, tmp_path):
    _, dataset = built
    tasks = [{"data": {"example_id": "lookup-0000000000000000", "question": "q"}}]
    bad = tmp_path / "export.json"
    bad.write_text(json.dumps(_as_exported(tasks, [[_annotation(0, "ok")]])), encoding="utf-8")
    with pytest.raises(InputError, match=r"export.json: task 0 .*not in .*pass the --dataset"):
        import_review(bad, dataset, tmp_path / "out.jsonl")
    bad.write_text(json.dumps({"verdict": "ok"}), encoding="utf-8")
    with pytest.raises(InputError, match=r"expected a JSON list of tasks; export .* as JSON"):
        import_review(bad, dataset, tmp_path / "out.jsonl")
    real = export_tasks(dataset, "test", 1, 0, tmp_path / "t.json")
    assert real["tasks"] == 1
    one = json.loads((tmp_path / "t.json").read_text("utf-8"))
    bad.write_text(json.dumps(_as_exported(one, [[_annotation(0, "maybe")]])), encoding="utf-8")
    with pytest.raises(InputError, match=r"verdict 'maybe' is not one of"):
        import_review(bad, dataset, tmp_path / "out.jsonl")
    assert not (tmp_path / "out.jsonl").exists()
