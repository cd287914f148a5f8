"""A small sample corpus (2 companies x 2 languages x 2021-2023), built once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from domainsft.config import DatasetConfig, FactsConfig, IngestConfig, RedactConfig, SamplesConfig


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from domainsft.facts import extract
    from domainsft.ingest.pipeline import ingest
    from domainsft.samples import generate

    root = tmp_path_factory.mktemp("dataset_corpus")
    reports, corpus = root / "reports", root / "corpus"
    generate(
        SamplesConfig(
            out=reports, companies=2, years="2021-2023", lang="both", scanned_pages=0, seed=1
        )
    )
    ingest(
        [reports],
        IngestConfig(out=corpus, workers=2, ocr="never", redact=RedactConfig(enabled=False)),
    )
    extract(corpus, FactsConfig(out=corpus / "facts.jsonl"))
    return corpus


def dataset_config(out: Path, **kw) -> DatasetConfig:
    """Replay is off unless a test asks for it: "self" would run the real default model."""
    return DatasetConfig(out=out, **({"replay_share": 0.0} | kw))


@pytest.fixture(scope="session")
def built(corpus: Path, tmp_path_factory: pytest.TempPathFactory):
    from domainsft.dataset import build

    out = tmp_path_factory.mktemp("dataset_out")
    return build(corpus, corpus / "facts.jsonl", dataset_config(out)), out
