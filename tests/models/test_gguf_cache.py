"""The GGUF -> dense cache: converted once, written atomically, safe with concurrent loaders.

A fake GGUF loader returns a tiny model flagged as quantized, the way transformers flags a
GGUF-loaded one, so these tests take seconds; the real conversion is in the slow tier.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import torch

from domainsft.models import gguf as gguf_mod
from domainsft.models import load_model


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "cache"
    monkeypatch.setenv(gguf_mod.CACHE_ENV, str(root))
    return root


@pytest.fixture
def fake_gguf(tmp_path: Path) -> Path:
    path = tmp_path / "Tiny.Q4_1.gguf"
    path.write_bytes(b"GGUF" + b"\0" * 64)
    return path


@pytest.fixture
def loader_calls(tiny_bpe_dir: Path, monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Replace the GGUF loader; the list records each call (a slow one, to widen races)."""
    calls: list[float] = []

    def fake_load_gguf(path: Path) -> tuple[Any, Any]:
        calls.append(time.monotonic())
        model, tok = load_model(tiny_bpe_dir, trainable=False)
        model.config.quantization_config = {"quant_method": "gguf", "gguf_file": Path(path).name}
        time.sleep(0.3)
        return model, tok

    monkeypatch.setattr(gguf_mod, "load_gguf", fake_load_gguf)
    return calls


def test_cache_root_follows_the_env(cache: Path) -> None:
    assert gguf_mod.cache_root() == cache


def test_converts_once_then_reuses(cache: Path, fake_gguf: Path, loader_calls: list) -> None:
    first = gguf_mod.ensure_dense_cache(fake_gguf)
    assert first.parent == cache / "models" and first.name.startswith("Tiny.Q4_1-")
    marker = json.loads((first / gguf_mod.MARKER).read_text())
    assert marker["source"] == str(fake_gguf.resolve())
    assert "quantization_config" not in json.loads((first / "config.json").read_text())
    assert gguf_mod.ensure_dense_cache(fake_gguf) == first
    assert len(loader_calls) == 1


def test_gguf_spec_loads_a_plain_trainable_model(
    cache: Path, fake_gguf: Path, loader_calls: list, tmp_path: Path
) -> None:
    model, tok = load_model(fake_gguf)
    assert not getattr(model, "is_quantized", False)
    assert getattr(model.config, "quantization_config", None) is None
    assert all(p.requires_grad and p.dtype == torch.float32 for p in model.parameters())
    model.save_pretrained(tmp_path / "saved")  # what a GGUF-flagged model cannot do
    assert tok.chat_template


def test_concurrent_loaders_convert_once(cache: Path, fake_gguf: Path, loader_calls: list) -> None:
    results: list[Path] = []
    threads = [
        threading.Thread(target=lambda: results.append(gguf_mod.ensure_dense_cache(fake_gguf)))
        for _ in range(3)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(loader_calls) == 1 and len(set(results)) == 1 and len(results) == 3


def test_crash_leaves_no_entry_and_is_cleaned_up(
    cache: Path, fake_gguf: Path, loader_calls: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = gguf_mod.dense_cache_dir(fake_gguf)
    real_dense_copy = gguf_mod.dense_copy

    def crash(model: Any) -> Any:
        raise RuntimeError("killed mid-conversion")

    monkeypatch.setattr(gguf_mod, "dense_copy", crash)
    with pytest.raises(RuntimeError):
        gguf_mod.ensure_dense_cache(fake_gguf)
    assert not target.exists()
    assert not list(target.parent.glob(f".{target.name}.tmp-*"))
    # A crash that could not clean up (power loss) leaves a temp dir and a partial target.
    (target.parent / f".{target.name}.tmp-stale").mkdir()
    target.mkdir()
    (target / "config.json").write_text("{}")
    monkeypatch.setattr(gguf_mod, "dense_copy", real_dense_copy)
    assert gguf_mod.ensure_dense_cache(fake_gguf) == target
    assert gguf_mod.is_complete(target)
    assert not list(target.parent.glob(f".{target.name}.tmp-*"))


def test_cache_key_is_the_content(cache: Path, fake_gguf: Path) -> None:
    before = gguf_mod.dense_cache_dir(fake_gguf)
    time.sleep(0.01)
    fake_gguf.write_bytes(b"GGUF" + b"\1" * 64)
    assert gguf_mod.dense_cache_dir(fake_gguf) != before


def test_dense_copy_keeps_the_weights(tiny_bpe_dir: Path) -> None:
    model, _ = load_model(tiny_bpe_dir, trainable=False)
    model.config.quantization_config = {"quant_method": "gguf"}
    dense = gguf_mod.dense_copy(model)
    assert not hasattr(dense.config, "quantization_config")
    theirs, ours = model.state_dict(), dense.state_dict()
    assert theirs.keys() == ours.keys()
    assert all(torch.equal(theirs[k], ours[k]) for k in theirs)
    del model.config.quantization_config
