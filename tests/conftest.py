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


@pytest.fixture(scope="session")
def erc_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 15 ERC reports the 18 shipped round-2 questions cite, ingested with their facts
    (~70 s on 2 cores); the corpus folder."""
    import json

    from domainsft.config import FactsConfig, IngestConfig
    from domainsft.facts import extract
    from domainsft.ingest.pipeline import ingest

    answers = shared_or_skip("qa", "erc_round2", "answers_on_shipped_pdfs.json")
    reports = shared_or_skip("reports", "en", "erc")
    shas = sorted(
        {ref.split(":")[0] for q in json.loads(answers.read_text()) for p in q["reference_pools"]
         for ref in p}
    )  # fmt: skip
    out = tmp_path_factory.mktemp("erc")
    result = ingest([reports / f"{s}.pdf" for s in shas], IngestConfig(out=out, workers=2))
    assert result.rejects == []
    extract(out, FactsConfig(out=out / "facts.jsonl"))
    return out
