"""MLflow logging of an evaluation, when mlflow is installed (``pip install mlflow``).

One MLflow run per ``domainsft eval``: the headline metrics as ``<task>.<metric>``, the model
as params, and the three output files as artifacts. The tracking URI is MLflow's own setting
(``MLFLOW_TRACKING_URI``; a local ``mlruns/`` folder by default). Without mlflow this is a no-op.
"""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


def flat_metrics(results: dict[str, Any]) -> dict[str, float]:
    """``{"test.exact_match": 0.8, "test.latency.p50_s": 1.2, ...}`` for every number."""
    out: dict[str, float] = {}
    for task, summary in results.get("tasks", {}).items():
        for group in ("metrics", "latency", "tokens"):
            for name, value in (summary.get(group) or {}).items():
                if isinstance(value, int | float) and not isinstance(value, bool):
                    key = f"{task}.{name}" if group == "metrics" else f"{task}.{group}.{name}"
                    out[key] = float(value)
    return out


def log_mlflow(results: dict[str, Any], out: Path, enabled: bool = True) -> bool:
    """Log to MLflow when it is installed; returns whether it logged."""
    if not enabled or importlib.util.find_spec("mlflow") is None:
        return False
    import mlflow

    try:
        _log(mlflow, results, out)
    except Exception as exc:  # the results are written; a tracking server problem must not fail
        log.warning(
            "MLflow logging failed (%s: %s); the results are in %s. Point MLFLOW_TRACKING_URI "
            "at your tracking server, or --set eval.mlflow=false",
            type(exc).__name__, str(exc).splitlines()[0][:200], out,
        )  # fmt: skip
        return False
    log.info("logged the evaluation to MLflow (%s)", mlflow.get_tracking_uri())
    return True


def _log(mlflow: Any, results: dict[str, Any], out: Path) -> None:
    model = results.get("model") or {}
    with mlflow.start_run(run_name=f"eval-{results.get('name', 'run')}"):
        mlflow.log_params({k: str(v) for k, v in model.items() if v is not None})
        mlflow.log_metrics(flat_metrics(results))
        for name in ("results.json", "samples.jsonl", "report.html"):
            if (out / name).exists():
                mlflow.log_artifact(str(out / name))
