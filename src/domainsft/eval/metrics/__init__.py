"""Per-sample metrics of ``domainsft eval``, by name.

Each metric scores one output of one item in [0, 1], or gives None where it does not apply (a
citation metric on an output that cites nothing, ``part_recall`` on a single answer); the
runner reports each metric's mean over the items where it applies. How to add a metric: write
``fn(item, output, env) -> float | None`` in a module of this package (a docstring that says
exactly what counts), add one ``Metric`` line to ``METRICS`` below and cases to
``tests/eval/test_metrics.py``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from domainsft.eval.items import EvalItem
from domainsft.eval.metrics.answer import exact_match, key_number_accuracy, part_recall
from domainsft.eval.metrics.base import Metric, MetricEnv, MetricFn
from domainsft.eval.metrics.citations import citation_precision, citation_recall
from domainsft.eval.metrics.compliance import disclaimer_ok, no_forbidden_phrases
from domainsft.eval.metrics.cot import cot_consistency
from domainsft.eval.metrics.grounding import hallucinated_number_rate
from domainsft.utils.jsonl import InputError

METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        Metric("exact_match", exact_match, True,
               "the scorer's verdict: number at the gold's precision, yes/no, N/A, name"),
        Metric("key_number_accuracy", key_number_accuracy, True,
               "every gold figure (answer and table cells) stated correctly"),
        Metric("cot_consistency", cot_consistency, True,
               "share of the reference computation's operands and result the output shows"),
        Metric("part_recall", part_recall, True,
               "share of the parts of a multi-part answer given (miss rate = 1 - recall)"),
        Metric("citation_precision", citation_precision, True,
               "share of cited pages that hold the figure cited"),
        Metric("citation_recall", citation_recall, True,
               "share of the gold pages that the output cites"),
        Metric("hallucinated_number_rate", hallucinated_number_rate, False,
               "share of the output's figures neither in nor derivable from the context"),
        Metric("disclaimer_ok", disclaimer_ok, True,
               "a risk disclaimer where the question asks for an assessment"),
        Metric("no_forbidden_phrases", no_forbidden_phrases, True,
               "no promised returns, certain price moves or buy calls"),
    )
}  # fmt: skip


def resolve(names: Iterable[str] | None = None) -> list[Metric]:
    """The metrics called ``names`` (all of them for None), in the order given."""
    if names is None:
        return list(METRICS.values())
    out = []
    for name in names:
        if name not in METRICS:
            raise InputError(unknown_metric(name))
        out.append(METRICS[name])
    return out


def unknown_metric(name: str) -> str:
    """The error message for a metric name that is not registered."""
    near = difflib.get_close_matches(name, list(METRICS), n=1)
    hint = f"; did you mean {near[0]!r}?" if near else ""
    return f"unknown metric {name!r}{hint} Valid metrics: {', '.join(METRICS)}"


def score_item(
    item: EvalItem,
    output: str,
    env: MetricEnv | None = None,
    names: Iterable[str] | None = None,
) -> dict[str, float | None]:
    """``{metric name: score or None}`` of one output, for the selected metrics (default all)."""
    env = env or MetricEnv()
    return {m.name: m.fn(item, output or "", env) for m in resolve(names)}


__all__ = ["METRICS", "Metric", "MetricEnv", "MetricFn", "resolve", "score_item", "unknown_metric"]
