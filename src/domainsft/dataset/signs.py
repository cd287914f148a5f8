"""Formula inputs from facts, in the sign the formulas expect, and the note that says so.

A fact keeps its value as printed (``Cost of sales (1,459.6)`` is -1,459,600,000); a formula
takes costs as positive amounts. ``Signs`` reads which way each table prints costs
(``domains/finance/signs.py``) and gives every fact's formula input. The builder and the
provenance check both read inputs through it, so a recomputed figure is the one the answer shows.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from domainsft.dataset import render
from domainsft.domains.finance.formulas import show_input
from domainsft.domains.finance.signs import Signs
from domainsft.domains.finance.templates import templates
from domainsft.records import Fact


def inputs(
    signs: Signs, now: list[Fact], before: list[Fact]
) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    """``compute``'s current and prior-period inputs, keyed by metric id."""
    return {f.metric: signs.value(f) for f in now}, {f.metric: signs.value(f) for f in before}


def note(signs: Signs, facts: Iterable[Fact], lang: str) -> str:
    """``"\\n"`` and one sentence naming the inputs turned round, or ``""`` when none was."""
    t = templates()["sign_note"]
    items = [
        t["income" if Decimal(f.value) > 0 else "item"][lang].format(
            metric=render.label(f.metric, lang),
            period=render.period(f, lang),
            printed=show_input(Decimal(f.value), f.metric, bracket=False),
            used=show_input(signs.value(f), f.metric, bracket=False),
        )
        for f in {f.fact_id: f for f in facts}.values()
        if signs.turned(f)
    ]
    if not items:
        return ""
    return "\n" + t["text"][lang].format(items=t["join"][lang].join(items))
