"""Checkpoints that survive a kill at any moment, and resume that replays exactly.

A checkpoint is written into a temporary folder, flushed to disk, then renamed into place
(rename is atomic on POSIX), and only then does the ``latest`` pointer move (written the same
way). A kill during a save leaves at worst a stray temporary folder, never a corrupt latest
checkpoint. It holds the trainable weights, optimizer, scheduler, loss scaler, regulariser
anchor, every RNG state and the data position, so a resumed run draws the same dropout masks
and batches as an uninterrupted one.
"""

from __future__ import annotations

import json
import os
import random
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import torch

LATEST = "latest"
_PREFIX = "step-"


def rng_state() -> dict[str, Any]:
    state = {
        "python": random.getstate(),
        "numpy": np.random.get_state(),
        "torch": torch.get_rng_state(),
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    random.setstate(state["python"])
    np.random.set_state(state["numpy"])
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def trainable_state(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad}


def load_trainable(model: torch.nn.Module, state: dict[str, torch.Tensor]) -> None:
    params = dict(model.named_parameters())
    missing = [n for n in state if n not in params]
    if missing:
        raise ValueError(
            f"checkpoint has weights the model lacks: {missing[:3]}; was it made with another "
            "method or model?"
        )
    with torch.no_grad():
        for n, t in state.items():
            params[n].copy_(t)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write(path: Path, obj: Any) -> None:
    with path.open("wb") as fh:
        torch.save(obj, fh)
        fh.flush()
        os.fsync(fh.fileno())


def save(root: Path, step: int, parts: dict[str, Any], state: dict[str, Any], keep: int) -> Path:
    """Write checkpoint ``step`` under ``root`` atomically; keep the newest ``keep``."""
    root.mkdir(parents=True, exist_ok=True)
    final = root / f"{_PREFIX}{step:08d}"
    tmp = root / f".tmp-{final.name}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    for name, obj in parts.items():
        _write(tmp / f"{name}.pt", obj)
    (tmp / "state.json").write_text(json.dumps(state, indent=1))
    _fsync_dir(tmp)
    if final.exists():  # re-saving a step after a resume
        shutil.rmtree(final)
    os.replace(tmp, final)
    _point_latest(root, final.name)
    _prune(root, keep)
    return final


def _point_latest(root: Path, name: str) -> None:
    tmp = root / f".{LATEST}.tmp"
    tmp.write_text(name)
    with tmp.open("rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, root / LATEST)
    _fsync_dir(root)


def _prune(root: Path, keep: int) -> None:
    for stray in root.glob(".tmp-*"):
        shutil.rmtree(stray, ignore_errors=True)
    done = sorted(p for p in root.glob(f"{_PREFIX}*") if p.is_dir())
    for old in done[:-keep]:
        shutil.rmtree(old, ignore_errors=True)


def latest(root: Path) -> Path | None:
    pointer = root / LATEST
    if not pointer.is_file():
        return None
    path = root / pointer.read_text().strip()
    return path if (path / "state.json").is_file() else None


def load(path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(parts, state)`` of the checkpoint folder ``path``."""
    state = json.loads((path / "state.json").read_text())
    parts = {
        p.stem: torch.load(p, map_location="cpu", weights_only=False) for p in path.glob("*.pt")
    }
    return parts, state
