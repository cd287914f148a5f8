"""The record every stage leaves beside its outputs: the resolved config and what it read.

``<stage>_config.yaml`` is the resolved configuration (recipe values, ``--set`` overrides and
flags applied), so a user can see and re-run exactly what ran. ``<stage>_manifest.json`` holds
the sha256 of that config and of every input file the stage read (a folder counts as its files,
sorted by relative path), plus the domainsft version: ``domainsft run`` re-runs a stage only
when one of them changed, and content hashes, unlike timestamps, survive a copy or a checkout.
Inputs that are not files (a hub model id, ``default``) are recorded as given.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from domainsft import __version__
from domainsft.config import dump_config
from domainsft.utils.hashing import file_sha256

Inputs = Mapping[str, str | Path | Iterable[str | Path] | None]


def config_path(out: Path, stage: str) -> Path:
    return Path(out) / f"{stage}_config.yaml"


def manifest_path(out: Path, stage: str) -> Path:
    return Path(out) / f"{stage}_manifest.json"


def fingerprint(value: str | Path) -> str:
    """A file's sha256; a folder's: the sha256 over its files' relative paths and hashes
    (hidden files and folders skipped); anything else (a model id): the text itself."""
    path = Path(value)
    if path.is_file():
        return file_sha256(path)
    if path.is_dir():
        digest = hashlib.sha256()
        for f in sorted(p for p in path.rglob("*") if p.is_file()):
            rel = f.relative_to(path)
            if any(part.startswith(".") for part in rel.parts):
                continue
            digest.update(f"{rel.as_posix()}\0{file_sha256(f)}\n".encode())
        return digest.hexdigest()
    return f"value:{value}"


def manifest(stage: str, cfg: BaseModel, inputs: Inputs) -> dict[str, Any]:
    """What a stage ran on: its config's hash and each input's fingerprint, by name."""
    hashed: dict[str, Any] = {}
    for name, value in inputs.items():
        if value is None:
            hashed[name] = None
        elif isinstance(value, str | Path):
            hashed[name] = {"path": str(value), "sha256": fingerprint(value)}
        else:
            hashed[name] = [{"path": str(v), "sha256": fingerprint(v)} for v in value]
    text = dump_config(cfg)
    return {
        "stage": stage,
        "domainsft": __version__,
        "config_sha256": hashlib.sha256(text.encode()).hexdigest(),
        "inputs": hashed,
    }


def write_stage_record(
    out: Path, stage: str, cfg: BaseModel, inputs: Inputs, name: str | None = None
) -> dict[str, Any]:
    """Write ``<name>_config.yaml`` and ``<name>_manifest.json`` into ``out`` (``name``: the
    stage's name unless the stage names its files after its output, as ``facts`` does)."""
    out, name = Path(out), name or stage
    out.mkdir(parents=True, exist_ok=True)
    config_path(out, name).write_text(dump_config(cfg), encoding="utf-8")
    record = manifest(stage, cfg, inputs)
    manifest_path(out, name).write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    return record


def unchanged(
    out: Path, stage: str, cfg: BaseModel, inputs: Inputs, name: str | None = None
) -> bool:
    """Whether ``out`` holds this stage's record for exactly this config and these inputs."""
    path = manifest_path(out, name or stage)
    if not path.exists():
        return False
    try:
        old = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return False
    return old == manifest(stage, cfg, inputs)
