"""Bad input names the file and line (or the config key) and writes nothing."""

from __future__ import annotations

import shutil

import pytest

from domainsft.config import DatasetConfig
from domainsft.dataset import build
from domainsft.utils.jsonl import InputError


def _copy(corpus, tmp_path):
    shutil.copy(corpus / "pages.jsonl", tmp_path / "pages.jsonl")
    shutil.copy(corpus / "facts.jsonl", tmp_path / "facts.jsonl")
    return tmp_path


def _break_line(path, lineno: int) -> None:
    lines = path.read_text("utf-8").splitlines()
    lines[lineno - 1] = lines[lineno - 1][:-5]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("name", ["facts.jsonl", "pages.jsonl"])
def test_malformed_line_names_file_and_line(corpus, tmp_path, name):
    (tmp_path / "in").mkdir()
    src = _copy(corpus, tmp_path / "in")
    _break_line(src / name, 3)
    out = tmp_path / "out"
    with pytest.raises(InputError, match=rf"{name}:3: invalid JSON"):
        build(src, src / "facts.jsonl", DatasetConfig(out=out))
    assert not out.exists()


def test_unknown_field_in_fact(corpus, tmp_path):
    src = _copy(corpus, tmp_path)
    lines = (src / "facts.jsonl").read_text("utf-8").splitlines()
    lines[1] = lines[1][:-1] + ', "bogus": 1}'
    (src / "facts.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"facts.jsonl:2: not a fact .*bogus"):
        build(src, src / "facts.jsonl", DatasetConfig(out=tmp_path / "out"))


def test_unknown_family_suggests(corpus, tmp_path):
    cfg = DatasetConfig(out=tmp_path / "out", families=["lookup", "lokup2"])
    with pytest.raises(InputError, match=r"dataset.families.*lokup2.*did you mean `lookup`"):
        build(corpus, corpus / "facts.jsonl", cfg)


def test_recipe_section_loads():
    from domainsft.config import load_recipe

    recipe = load_recipe("recipes/demo.yaml")
    assert recipe.dataset.negative_share == 0.08
