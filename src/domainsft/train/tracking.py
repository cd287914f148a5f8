"""Metrics of a training run: a JSONL file always; TensorBoard / MLflow when asked and installed."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


class Tracker:
    def __init__(self, path: Path, report_to: list[str], resume_step: int = 0):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        _truncate_after(path, resume_step)
        self.fh = path.open("a", encoding="utf-8")
        self.sinks = [s for s in (_sink(name, path.parent) for name in report_to) if s is not None]

    def log(self, record: dict[str, Any]) -> None:
        self.fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.fh.flush()
        numbers = {k: v for k, v in record.items() if isinstance(v, (int, float)) and k != "step"}
        for sink in self.sinks:
            sink(numbers, record["step"])

    def close(self) -> None:
        self.fh.close()


def _truncate_after(path: Path, step: int) -> None:
    """On resume, drop lines of steps after the checkpoint so the file is one curve."""
    if not path.exists():
        return
    keep = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            if json.loads(line).get("step", 0) <= step:
                keep.append(line)
        except json.JSONDecodeError:
            continue  # a line cut by a kill
    path.write_text("".join(k + "\n" for k in keep), encoding="utf-8")


def _sink(name: str, out: Path):
    try:
        if name == "tensorboard":
            from torch.utils.tensorboard import SummaryWriter

            writer = SummaryWriter(str(out / "tensorboard"))
            return lambda values, step: [writer.add_scalar(k, v, step) for k, v in values.items()]
        if name == "mlflow":
            import mlflow

            return lambda values, step: mlflow.log_metrics(values, step=step)
    except ImportError:
        log.warning("report_to %s: not installed (pip install %s); skipping it", name, name)
    return None
