"""One small corpus shared by the sample tests: 1 company x 2 years x both languages."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from domainsft.config import SamplesConfig
from domainsft.samples import generate


def small_config(out: Path, seed: int = 7) -> SamplesConfig:
    return SamplesConfig(
        out=out, companies=1, years="2021-2022", lang="both", scanned_pages=1, seed=seed
    )


@pytest.fixture(scope="session")
def make_config() -> Callable[..., SamplesConfig]:
    return small_config


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("reports")
    cfg = small_config(out)
    summary = generate(cfg)
    return {
        "cfg": cfg,
        "out": out,
        "summary": summary,
        "facts": _jsonl(out / "truth.jsonl"),
        "pii": _jsonl(out / "pii.jsonl"),
        "manifest": json.loads((out / "manifest.json").read_text(encoding="utf-8")),
    }


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
