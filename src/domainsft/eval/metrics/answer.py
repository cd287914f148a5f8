"""Answer metrics: the scorer's verdict, every gold figure stated, every part of a table given."""

from __future__ import annotations

from domainsft.eval.gold import parse_gold
from domainsft.eval.items import EvalItem
from domainsft.eval.matcher import match_answer
from domainsft.eval.metrics.base import MetricEnv
from domainsft.eval.metrics.figures import (
    GoldNumber,
    cells,
    from_gold,
    present,
    reference_parts,
    structured_gold,
    value_numbers,
)


def exact_match(item: EvalItem, output: str, env: MetricEnv) -> float | None:
    """1 when the scorer (``match_answer``) finds the output's answer correct."""
    if item.gold is None:
        return None
    verdict = match_answer(output, parse_gold(item.gold, item.id), env.mode).verdict
    return 1.0 if verdict == "correct" else 0.0


def gold_numbers(item: EvalItem) -> list[GoldNumber]:
    """Every figure the answer must state: the gold figure and the table cells; for a
    multi-metric answer with neither, the reference answer's figures."""
    return structured_gold(item) + cells(item) or reference_parts(item)


def parts(item: EvalItem) -> list[GoldNumber]:
    """The parts of a multi-part answer (two or more): its cells, the numbers of a list gold,
    or the figures of a multi-metric reference; none for a single answer."""
    found = cells(item)
    if not found and item.gold is not None and isinstance(item.gold.get("answer"), list):
        found = from_gold(parse_gold(item.gold, item.id))
    found = found or reference_parts(item)
    return found if len(found) >= 2 else []


def key_number_accuracy(item: EvalItem, output: str, env: MetricEnv) -> float | None:
    """1 when every gold figure is stated correctly (at its precision) in the output."""
    golds = gold_numbers(item)
    if not golds:
        return None
    found = value_numbers(output)
    return 1.0 if all(present(g, output, found) for g in golds) else 0.0


def part_recall(item: EvalItem, output: str, env: MetricEnv) -> float | None:
    """Share of the parts of a multi-part answer stated correctly (miss rate = 1 - recall)."""
    wanted = parts(item)
    if not wanted:
        return None
    found = value_numbers(output)
    return sum(present(g, output, found) for g in wanted) / len(wanted)
