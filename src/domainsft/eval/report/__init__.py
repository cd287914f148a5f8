"""``report.html``: one self-contained page showing what ``domainsft eval`` measured.

One run gives a single-model report; several give a side-by-side comparison in which the first
run is the baseline: every later value carries its delta, coloured by whether the metric is
higher- or lower-is-better, and the ``general`` task gets a plain-language forgetting verdict.

The page is assembled from sections, one module each: ``page`` (the document, its header with
the runs, the contents), ``summary`` (task × metric with deltas), ``forgetting`` (the verdict),
``tasks`` (charts and tables per task) and ``examples`` (failing items). ``context`` holds what
they share about the runs and their metrics, ``markup`` the escaping HTML helpers, ``charts``
the inline SVG and the stylesheet.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from domainsft.eval.report.context import (
    Ctx,
    lower_is_better,
    ordered_union,
    share_metrics,
    tasks_of,
)
from domainsft.eval.report.forgetting import forgetting
from domainsft.eval.report.page import header, nav, page
from domainsft.eval.report.summary import summary
from domainsft.eval.report.tasks import task_section

__all__ = ["lower_is_better", "render_report", "write_report"]


def write_report(
    runs: list[dict[str, Any]],
    out: Path,
    samples: dict[str, list[dict[str, Any]]] | None = None,
    title: str = "domainsft evaluation",
) -> Path:
    """Write ``out`` (one HTML file, nothing beside it) and return its path."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_report(runs, samples, title), encoding="utf-8")
    return out


def render_report(
    runs: list[dict[str, Any]],
    samples: dict[str, list[dict[str, Any]]] | None = None,
    title: str = "domainsft evaluation",
) -> str:
    if not runs:
        raise ValueError("write_report needs at least one run (the content of a results.json)")
    ctx = Ctx(list(runs), dict(samples or {}), share_metrics(runs))
    tasks = ordered_union(tasks_of(run) for run in runs)
    body = [
        header(ctx, title),
        nav(tasks, len(runs) > 1),
        forgetting(ctx) if len(runs) > 1 else "",
        summary(ctx, tasks),
        *(task_section(ctx, task) for task in tasks),
    ]
    return page(title, "".join(body))
