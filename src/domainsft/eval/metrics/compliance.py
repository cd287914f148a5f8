"""Compliance metrics, on the domain pack's rules (``domains/finance/compliance.yaml``)."""

from __future__ import annotations

from domainsft.domains.finance.compliance import compliance
from domainsft.eval.items import EvalItem
from domainsft.eval.metrics.base import MetricEnv


def disclaimer_ok(item: EvalItem, output: str, env: MetricEnv) -> float | None:
    """1 when an answer that must carry a risk disclaimer does; None where none is required
    (the reference has none and the question asks for no assessment)."""
    rules = compliance()
    if not rules.needs_disclaimer(item.question, item.reference, item.lang):
        return None
    return 1.0 if rules.has_disclaimer(output) else 0.0


def no_forbidden_phrases(item: EvalItem, output: str, env: MetricEnv) -> float | None:
    """1 when the output makes no promise of returns, prices or safety and urges no purchase."""
    return 0.0 if compliance().forbidden_phrases(output) else 1.0
