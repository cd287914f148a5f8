"""Whether a stage must run: its last record against the record it would leave now.

A stage is skipped when the record in its output folder equals the one predicted from the
current config and inputs (``utils.manifest``: content hashes, never timestamps) and its
outputs are present. Before a stage runs, the predicted record is also written to
``RUN/.state/<stage>.json`` and removed once the stage has finished: a marker still there on the
next run means that attempt was interrupted, and if it equals the new prediction the stage
resumes (training from its checkpoint, eval from its stored answers).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from domainsft.utils.manifest import manifest_path


def read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def last_record(folder: Path, name: str) -> dict[str, Any] | None:
    return read_json(manifest_path(folder, name))


def why(old: dict[str, Any] | None, new: dict[str, Any], outputs_present: bool) -> str:
    """Why the stage runs, in words (``unchanged`` when nothing makes it)."""
    if old is None:
        return "no earlier run"
    if old.get("domainsft") != new["domainsft"]:
        return f"domainsft {old.get('domainsft')} -> {new['domainsft']}"
    if old.get("config_sha256") != new["config_sha256"]:
        return "config changed"
    before, now = old.get("inputs", {}), new["inputs"]
    changed = sorted(k for k in set(before) | set(now) if before.get(k) != now.get(k))
    if changed:
        return "inputs changed: " + ", ".join(changed)
    return "unchanged" if outputs_present else "outputs missing"


class Markers:
    """``RUN/.state/<stage>.json``: the record of a stage that started and has not finished."""

    def __init__(self, folder: Path):
        self.folder = folder

    def path(self, stage: str) -> Path:
        return self.folder / f"{stage}.json"

    def read(self, stage: str) -> dict[str, Any] | None:
        return read_json(self.path(stage))

    def start(self, stage: str, record: dict[str, Any]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.path(stage).with_suffix(".tmp")
        tmp.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
        tmp.replace(self.path(stage))

    def done(self, stage: str) -> None:
        self.path(stage).unlink(missing_ok=True)
