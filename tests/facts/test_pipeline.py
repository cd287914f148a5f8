"""The facts stage end to end: bad input names file, line and fix; CLI and recipe wiring."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from domainsft.cli import app
from domainsft.config import FactsConfig, load_recipe
from domainsft.facts.pipeline import extract
from domainsft.utils.jsonl import InputError
from tests.facts.conftest import make_page

runner = CliRunner()


def _corpus(folder: Path, extra: list[str] | None = None) -> Path:
    pages = [
        make_page(1, ["2019年年度报告", "四方科技集团股份有限公司"]),
        make_page(2, ["主要会计数据", "单位：元 币种：人民币",
                      ["主要会计数据", "2019年", "2018年"],
                      ["营业收入", "1,175,301,034.32", "1,230,537,181.80"],
                      ["净资产收益率不在分类中", "1.00", "2.00"]]),
    ]  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(p.to_dict(), ensure_ascii=False) for p in pages] + (extra or [])
    (folder / "pages.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_extract_writes_facts_rejects_stats_and_config(tmp_path: Path) -> None:
    out = tmp_path / "out" / "facts.jsonl"
    result = extract(_corpus(tmp_path / "c"), FactsConfig(out=out))
    rows = [json.loads(x) for x in out.read_text("utf-8").splitlines()]
    assert [(r["metric"], r["fiscal_year"], r["value"]) for r in rows] == [
        ("revenue", 2019, "1175301034.32"),
        ("revenue", 2018, "1230537181.80"),
    ]
    rejects = [
        json.loads(x) for x in (out.parent / "facts_rejects.jsonl").read_text("utf-8").splitlines()
    ]
    assert rejects[0]["reason"] == "row label not in the taxonomy"
    assert "净资产收益率不在分类中" in rejects[0]["detail"]
    assert json.loads((out.parent / "facts_stats.json").read_text("utf-8"))["facts"] == 2
    assert "min_confidence" in (out.parent / "facts_config.yaml").read_text("utf-8")
    assert len(result.facts) == 2


@pytest.mark.parametrize(
    ("line", "expect"),
    [
        ("{not json", "invalid JSON"),
        ('{"doc_id": "x", "source": "a.pdf", "page": 1}', "not a page record"),
        ('{"doc_id": "x", "source": "a.pdf", "page": 0, "text": ""}', "`page` must be"),
        ('{"doc_id": "x", "source": "a.pdf", "page": 1, "text": "", "colour": 1}', "colour"),
        ("[1, 2]", "expected a JSON object"),
    ],
)
def test_bad_page_line_names_file_line_and_fix(tmp_path: Path, line: str, expect: str) -> None:
    corpus = _corpus(tmp_path / "c", extra=[line])
    with pytest.raises(InputError) as err:
        extract(corpus, FactsConfig(out=tmp_path / "facts.jsonl"))
    msg = str(err.value)
    assert f"{corpus / 'pages.jsonl'}:3" in msg and expect in msg
    if expect in ("not a page record", "`page` must be", "colour"):
        assert "re-run `domainsft ingest`" in msg


def test_cli_facts(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "c")
    out = tmp_path / "facts.jsonl"
    res = runner.invoke(app, ["facts", str(corpus), "--out", str(out), "--no-prose"])
    assert res.exit_code == 0, res.output
    assert "2 facts from 1 documents" in res.output and out.exists()
    res = runner.invoke(app, ["facts", str(corpus), "--out", str(out),
                              "--set", "facts.min_confidence=1.5"])  # fmt: skip
    assert res.exit_code == 2 and "min_confidence" in res.output


def test_cli_facts_errors_are_clear(tmp_path: Path) -> None:
    res = runner.invoke(app, ["facts", str(tmp_path / "nowhere")])
    assert res.exit_code == 2 and "domainsft ingest" in res.output
    corpus = _corpus(tmp_path / "c", extra=["{broken"])
    res = runner.invoke(app, ["facts", str(corpus), "--out", str(tmp_path / "f.jsonl")])
    assert res.exit_code == 2 and "pages.jsonl:3: invalid JSON" in res.output.replace("\n", "")


def test_recipe_has_a_facts_section(tmp_path: Path) -> None:
    recipe = tmp_path / "r.yaml"
    recipe.write_text("facts:\n  prose: false\n  min_confidence: 0.9\n", encoding="utf-8")
    cfg = load_recipe(recipe).facts
    assert (cfg.prose, cfg.min_confidence, cfg.parent_scope) == (False, 0.9, True)
    recipe.write_text("facts:\n  prse: false\n", encoding="utf-8")
    with pytest.raises(InputError, match="prose"):
        load_recipe(recipe)
