"""``hallucinated_number_rate``: the share of an output's figures that nothing supports.

A figure of the output (a value number: no year, date, page, section, list marker or step
counter) is *grounded* when the context states it or two context numbers give it. The context
is what the model was shown or should have read: the prompt (every turn), the reference answer
and the texts of the item's gold pages (``meta.pages`` in ``env.pages``). "States it": the
figure is among the context numbers at its own precision, sign aside, in any printed form
(``index.FigureIndex``: ``$795.1 million`` is grounded by a table's ``795.1``). "Gives it":
``a + b``, ``a - b``, ``a / b``, ``a / b × 100`` or ``(a - b) / |b| × 100`` at the figure's
precision, for two different numbers among the first ``DERIVE_LIMIT`` (60) distinct context
numbers, prompt and reference first, then the pages in order: bounded work per figure (sorted
look-ups, no search over triples), and the numbers most likely to be the operands.

A formula's constants are not figures: an integer such as 100, 2, 12, 360 or 365 right beside
``×``, ``/``, ``÷`` or ``*`` (``× 100%``, ``/ 2``) is skipped.
"""

from __future__ import annotations

from functools import lru_cache

from domainsft.eval.items import EvalItem
from domainsft.eval.metrics.base import MetricEnv
from domainsft.grounding import FigureIndex, figures
from domainsft.numbers import Quantity, find_quantities


def context_index(item: EvalItem, env: MetricEnv) -> FigureIndex:
    """The numbers of the prompt, the reference and the gold pages' texts, in that order."""
    texts = [m["content"] for m in item.prompt] + [item.reference or ""]
    for doc, page in item.meta.get("pages") or []:
        texts.append(env.pages.get(str(doc), int(page)) or "")
    return FigureIndex(q for t in texts for q in _numbers(t))


@lru_cache(maxsize=1024)
def _numbers(text: str) -> tuple[Quantity, ...]:
    """The value numbers of a context text, read once (pages and system prompts repeat)."""
    return tuple(q for q in find_quantities(text) if q.is_candidate)


def hallucinated_number_rate(item: EvalItem, output: str, env: MetricEnv) -> float | None:
    """Share of the output's figures neither stated in nor derivable from the context."""
    stated = figures(output)
    if not stated:
        return None
    context = context_index(item, env)
    missing = [q for q in stated if not context.has(q) and not context.derivable(q)]
    return len(missing) / len(stated)
