"""Device and precision choices."""

from __future__ import annotations

import pytest
import torch

from domainsft.models import autocast_dtype, pick_device, supports_bf16_cpu


def test_pick_device_is_usable() -> None:
    device = pick_device()
    assert device in {"cpu", "cuda", "mps"}
    torch.zeros(1, device=device)


def test_cpu_autocast_follows_bf16_support() -> None:
    expected = torch.bfloat16 if supports_bf16_cpu() else None
    assert autocast_dtype("cpu") == expected


@pytest.mark.parametrize(("value", "expected"), [("0", None), ("1", torch.bfloat16)])
def test_env_overrides_the_cpu_probe(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: torch.dtype | None
) -> None:
    monkeypatch.setenv("DOMAINSFT_CPU_BF16", value)
    supports_bf16_cpu.cache_clear()
    try:
        assert autocast_dtype("cpu") == expected
    finally:
        monkeypatch.undo()
        supports_bf16_cpu.cache_clear()
