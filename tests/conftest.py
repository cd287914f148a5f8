"""Shared test fixtures: paths to the shared real data, tiny PDFs built in the test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("DOMAINSFT_SHARED", ROOT.parent / "shared" / "data"))
REPORTS = SHARED / "reports"


def shared_or_skip(*parts: str) -> Path:
    """A path under ../shared/data; in CI the folder exists and the test must run."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        if os.environ.get("CI"):
            raise FileNotFoundError(f"{path} is missing in CI: the shared data must be present")
        pytest.skip(f"shared data not present: {path}")
    return path
