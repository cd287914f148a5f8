"""Device and precision choices shared by training, evaluation and serving."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import torch

# Linux /proc/cpuinfo flags that mean native bf16 arithmetic (x86 AVX512-BF16 / AMX, Arm BF16).
_BF16_CPU_FLAGS = {"avx512_bf16", "amx_bf16", "bf16"}


def pick_device() -> str:
    """The best accelerator present: "cuda", then "mps", else "cpu"."""
    if torch.cuda.is_available():
        return "cuda"
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return "mps"
    return "cpu"


@lru_cache(maxsize=1)
def supports_bf16_cpu() -> bool:
    """Whether this CPU does bf16 natively; ``DOMAINSFT_CPU_BF16=0/1`` overrides the probe.

    Emulated bf16 (plain AVX512/AVX2) is slower than fp32, so only native support counts.
    ``torch.backends.cpu.get_cpu_capability()`` says "AVX512" on bf16 and non-bf16 parts alike,
    hence torch's private probes first and the kernel's CPU flags as the fallback.
    """
    override = os.environ.get("DOMAINSFT_CPU_BF16")
    if override is not None:
        return override.strip().lower() in {"1", "true", "yes", "on"}
    for probe in ("_is_avx512_bf16_supported", "_is_amx_tile_supported"):
        check = getattr(torch.cpu, probe, None)
        if check is not None:
            try:
                if check():
                    return True
            except RuntimeError:  # probe present but cpuinfo failed to initialise
                pass
    return bool(_cpuinfo_flags() & _BF16_CPU_FLAGS)


def _cpuinfo_flags() -> set[str]:
    try:
        text = Path("/proc/cpuinfo").read_text(errors="replace")
    except OSError:
        return set()
    flags: set[str] = set()
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in {"flags", "Features"}:
            flags.update(value.split())
    return flags


def autocast_dtype(device: str | torch.device) -> torch.dtype | None:
    """The autocast dtype for ``device``, or None where fp32 is the faster/safer choice."""
    kind = torch.device(device).type
    if kind == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    if kind == "cpu" and supports_bf16_cpu():
        return torch.bfloat16
    return None


DTYPES: dict[str, torch.dtype] = {
    "float32": torch.float32,
    "fp32": torch.float32,
    "bfloat16": torch.bfloat16,
    "bf16": torch.bfloat16,
    "float16": torch.float16,
    "fp16": torch.float16,
}


def parse_dtype(name: str | torch.dtype) -> torch.dtype:
    """'float32' / 'bf16' / torch.float16 -> torch dtype; the error lists the valid names."""
    if isinstance(name, torch.dtype):
        return name
    try:
        return DTYPES[name.lower()]
    except KeyError:
        raise ValueError(f"unknown dtype {name!r}; use one of {sorted(DTYPES)}") from None


def resolve_device(device: str | torch.device) -> torch.device:
    """'auto' -> pick_device(); anything else as torch understands it."""
    if isinstance(device, str) and device == "auto":
        return torch.device(pick_device())
    return torch.device(device)
