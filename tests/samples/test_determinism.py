from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from domainsft.config import SamplesConfig
from domainsft.samples import generate

_FILES = ("truth.jsonl", "pii.jsonl", "manifest.json")


def _read(out: Path, name: str) -> bytes:
    return (out / name).read_bytes()


Make = Callable[..., SamplesConfig]


def test_same_seed_gives_identical_truth_and_pdfs(
    corpus: dict[str, Any], make_config: Make, tmp_path: Path
) -> None:
    generate(make_config(tmp_path))
    for name in _FILES:
        assert _read(corpus["out"], name) == _read(tmp_path, name), name
    for doc in corpus["manifest"]["docs"]:
        assert _read(corpus["out"], doc["file"]) == _read(tmp_path, doc["file"]), doc["file"]


def test_different_seed_differs(corpus: dict[str, Any], make_config: Make, tmp_path: Path) -> None:
    generate(make_config(tmp_path, seed=8))
    for name in _FILES:
        assert _read(corpus["out"], name) != _read(tmp_path, name), name


def test_summary_counts(corpus: dict[str, Any]) -> None:
    summary, manifest = corpus["summary"], corpus["manifest"]
    assert summary["n_reports"] == 4 == len(manifest["docs"])
    assert summary["n_facts"] == len(corpus["facts"])
    assert summary["n_pages"] == sum(d["n_pages"] for d in manifest["docs"])
    assert all(Path(p).is_file() for p in summary["paths"]["pdfs"])
