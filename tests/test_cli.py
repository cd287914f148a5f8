"""The CLI: --help teaches on every command; flags, --set and --config combine in order."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from domainsft.cli import app

runner = CliRunner()
COMMANDS = sorted(typer.main.get_command(app).commands)


def test_top_level_help_lists_commands():
    res = runner.invoke(app, ["--help"])
    assert res.exit_code == 0
    for name in COMMANDS:
        assert name in res.output


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_with_an_example(name):
    res = runner.invoke(app, [name, "--help"])
    assert res.exit_code == 0
    assert "Example" in res.output
    # every command that runs a stage reads the recipe; compare only reads result folders
    assert ("--config" in res.output) == (name != "compare")


def test_sample_reports_flags_override_recipe(tmp_path):
    recipe = tmp_path / "r.yaml"
    recipe.write_text("samples:\n  companies: 5\n  lang: en\n", encoding="utf-8")
    out = tmp_path / "reports"
    args = [
        "sample-reports",
        "--config",
        str(recipe),
        "--out",
        str(out),
        "--companies",
        "1",
        "--years",
        "2022",
        "--scanned-pages",
        "0",
        "--set",
        "samples.lang=zh",
    ]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [d["file"] for d in manifest["docs"]] == ["cn01_2022_zh.pdf"]


def test_bad_flag_value_is_a_clear_error(tmp_path):
    res = runner.invoke(app, ["sample-reports", "--out", str(tmp_path), "--lang", "fr"])
    assert res.exit_code == 2
    assert "samples.lang" in res.output


def test_missing_input_path_is_named(tmp_path):
    res = runner.invoke(app, ["ingest", str(tmp_path / "nope"), "--out", str(tmp_path / "o")])
    assert res.exit_code == 2
    assert "nope" in res.output
