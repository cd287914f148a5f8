"""Every shipped recipe is code under test; config errors name the key and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel

from domainsft.config import IngestConfig, Recipe, load_recipe, parse_years
from domainsft.utils.jsonl import InputError

RECIPES = sorted((Path(__file__).resolve().parents[1] / "recipes").glob("*.yaml"))


def test_there_are_shipped_recipes():
    assert RECIPES, "recipes/ should ship at least the demo recipe"


@pytest.mark.parametrize("path", RECIPES, ids=lambda p: p.name)
def test_each_shipped_recipe_loads(path):
    recipe = load_recipe(path)
    assert isinstance(recipe, Recipe)
    # The recipe opens with the command that runs it.
    first = path.read_text(encoding="utf-8").splitlines()[:3]
    assert any("domainsft" in line for line in first)


def test_set_overrides_recipe_values(tmp_path):
    p = tmp_path / "r.yaml"
    p.write_text("ingest:\n  ocr: auto\n  redact:\n    enabled: true\n", encoding="utf-8")
    r = load_recipe(p, ["ingest.ocr=never", "ingest.redact.enabled=false", "samples.seed=7"])
    assert r.ingest.ocr == "never"
    assert r.ingest.redact.enabled is False
    assert r.samples.seed == 7


@pytest.mark.parametrize(
    ("override", "fragment"),
    [
        ("ingest.ocr_engin=tesseract", "Did you mean `ocr_engine`"),
        ("ingest.redact.enabld=false", "Did you mean `enabled`"),
        ("ingset.ocr=never", "Did you mean `ingest`"),
        ("ingest.ocr=sometimes", "ingest.ocr"),
        ("ingest.workers=-1", "ingest.workers"),
        ("samples.years=2023-2021", "samples.years"),
        ("no_equals_sign", "KEY=VALUE"),
    ],
)
def test_bad_values_name_the_key(override, fragment):
    with pytest.raises(InputError) as err:
        load_recipe(None, [override])
    assert fragment in str(err.value)


def test_yaml_syntax_error_names_file_and_line(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text("ingest:\n  ocr: [never\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.yaml:\d+"):
        load_recipe(p)


def test_parse_years():
    assert parse_years("2021-2023") == [2021, 2022, 2023]
    assert parse_years("2022") == [2022]
    with pytest.raises(ValueError):
        parse_years("twenty")


def test_every_field_has_help():
    for model in (Recipe, IngestConfig):
        for name, field in model.model_fields.items():
            if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel):
                continue  # a nested section: its own fields carry the help
            assert field.description, f"{model.__name__}.{name} has no description"


def test_package_data_ships_every_data_file() -> None:
    """Every YAML/JSONL under src/domainsft is matched by a package-data pattern, so an installed
    (non-editable) domainsft has its recipes, accelerate configs, domain pack and eval specs."""
    import re
    import tomllib

    root = Path(__file__).resolve().parents[1]
    meta = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = meta["tool"]["setuptools"]["package-data"]["domainsft"]
    pkg = root / "src" / "domainsft"
    files = [
        p.relative_to(pkg).as_posix() for ext in ("yaml", "jsonl") for p in pkg.rglob(f"*.{ext}")
    ]
    # setuptools globs: "*" never crosses a "/" (recipes/*.yaml does not ship recipes/x/y.yaml)
    globs = [re.compile(re.escape(p).replace(r"\*", "[^/]*")) for p in patterns]
    missing = [f for f in files if not any(g.fullmatch(f) for g in globs)]
    assert files and not missing, missing
