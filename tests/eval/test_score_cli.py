"""`domainsft score`: summary, verdict files and the errors for bad input."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from domainsft.cli import app
from domainsft.eval import score_files
from domainsft.utils.jsonl import InputError

runner = CliRunner()

GOLD = [
    {"id": "a", "answer": "11.75亿元", "pages": [5]},
    {"id": "b", "answer": 12.35, "unit": "%", "decimals": 2},
    {"id": "c", "answer": True},
    {"id": "d", "answer": 1577, "unit": "million"},
    {"id": "e", "answer": "N/A"},
]
PREDS = [
    {"id": "a", "output": "2019年营业收入为1,175,301,034.32元（第5页）。"},
    {"id": "b", "output": "毛利率 = 3.2 / 25.9 = 12.3456%"},
    {"id": "c", "output": "Yes."},
    {"id": "d", "output": "See page 12."},
    {"id": "x", "output": "42"},
]


def _has(output: str, *texts: str) -> bool:
    """Rich wraps long lines anywhere (inside a path too): compare without whitespace."""
    flat = "".join(output.split())
    return all("".join(t.split()) in flat for t in texts)


def _write(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


@pytest.fixture
def files(tmp_path):
    return _write(tmp_path / "preds.jsonl", PREDS), _write(tmp_path / "gold.jsonl", GOLD)


def test_cli_prints_summary_and_writes_verdicts(files, tmp_path):
    preds, gold = files
    out = tmp_path / "scores"
    args = ["score", "--predictions", str(preds), "--gold", str(gold), "--out", str(out)]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    assert _has(res.output, "exact match 60.0%", "1 unparseable")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["n"] == 5 and summary["correct"] == 3 and summary["missing_predictions"] == 1
    assert summary["extra_predictions"] == 1 and summary["extra_ids"] == ["x"]
    rows = [json.loads(x) for x in (out / "verdicts.jsonl").read_text("utf-8").splitlines()]
    by_id = {r["id"]: r for r in rows}
    assert [r["id"] for r in rows] == ["a", "b", "c", "d", "e"]
    assert by_id["a"]["verdict"] == "correct" and by_id["a"]["pages"]["score"] == 1.0
    assert by_id["d"]["verdict"] == "unparseable" and by_id["e"]["verdict"] == "missing"
    assert (out / "score_config.yaml").exists()


def test_erc_mode(files, tmp_path):
    preds, gold = files
    result = score_files(preds, gold, mode="erc")
    assert result.summary["mode"] == "erc" and result.summary["page_score"] == 1.0


def test_unknown_mode_is_an_error(files, tmp_path):
    preds, gold = files
    args = ["score", "--predictions", str(preds), "--gold", str(gold), "--mode", "loose"]
    res = runner.invoke(app, [*args, "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and _has(res.output, "eval.mode")
    with pytest.raises(InputError, match="unknown mode 'loose'; use one of: strict, erc"):
        score_files(preds, gold, mode="loose")


def test_strict_ids_names_the_first_stray_id(files, tmp_path):
    preds, gold = files
    args = ["score", "--predictions", str(preds), "--gold", str(gold), "--strict-ids"]
    res = runner.invoke(app, [*args, "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    assert _has(res.output, "preds.jsonl:5: id 'x' is not in", "--strict-ids")


@pytest.mark.parametrize(
    ("which", "content", "fragment"),
    [
        ("preds", b'{"id": "a", "output": "1"}\n{"output": "2"}\n', 'preds.jsonl:2: no "id"'),
        ("preds", b'{"id": "a", "output": "1"}\n{"id": "a", "output": "2"}\n',
         "preds.jsonl:2: duplicate id 'a' (first on line 1)"),
        ("preds", b'{"id": "a"}\n', 'preds.jsonl:1: no "output"'),
        ("preds", b'{"id": "a", "output": "1"\n', "preds.jsonl:1: invalid JSON"),
        ("preds", '{"id": "a", "output": "营业收入"}\n'.encode("gbk"), "preds.jsonl:1: not UTF-8"),
        ("gold", b'{"id": "a", "answer": 1}\n{"id": "a", "answer": 2}\n',
         "gold.jsonl:2: duplicate id 'a'"),
        ("gold", b'{"id": "a", "answer": 1, "unit": "furlongs"}\n', 'gold.jsonl:1: unknown "unit"'),
        ("gold", b"\n", "gold.jsonl: no records"),
    ],
)  # fmt: skip
def test_bad_input_names_file_line_and_fix(files, which, content, fragment):
    preds, gold = files
    (preds if which == "preds" else gold).write_bytes(content)
    with pytest.raises(InputError) as err:
        score_files(preds, gold)
    assert fragment in str(err.value)


def test_cli_reports_input_errors_without_a_traceback(files, tmp_path):
    preds, gold = files
    preds.write_bytes(b"not json\n")
    args = ["score", "--predictions", str(preds), "--gold", str(gold)]
    res = runner.invoke(app, [*args, "--out", str(tmp_path / "o")])
    assert res.exit_code == 2 and _has(res.output, "invalid JSON")
    assert "Traceback" not in res.output
