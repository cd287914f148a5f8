"""Which way a statement prints costs, and a figure in the sign the formulas expect.

Formulas (``formulas.yaml``) take costs and cash outflows as positive amounts, the way CAS and
US GAAP statements print them: 毛利率 = (营业收入 - 营业成本) / 营业收入. IFRS-style statements
print the same lines as negatives so that the column adds up (``Cost of sales (1,459.6)``), and
a figure read from such a statement must be turned round before a formula sees it, or a gross
margin comes out above 100%.

The statement's way is read from its ``expense: always`` lines (metrics.yaml): a cost that is
never an income is negative only where the statement prints costs as negatives. An
``expense: net`` line cannot tell: a negative 财务费用 beside a positive 营业成本 is net finance
income and stays negative; a positive "Finance costs" beside ``Cost of sales (1,459.6)`` is
income too, and turns negative.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from domainsft.domains.finance import metrics
from domainsft.records import Fact


def expense(metric_id: str) -> str:
    """``always``, ``net`` or ``""``: how a metric's sign relates to the statement's way."""
    m = metrics().get(metric_id)
    return m.expense if m is not None else ""


def costs_negative(evidence: Iterable[tuple[str, Decimal]]) -> bool | None:
    """Whether a statement prints costs as negatives, judged by its ``always`` lines among
    ``(metric id, value)`` pairs: most of them negative. None when it prints none."""
    signs = [value < 0 for metric_id, value in evidence if expense(metric_id) == "always" and value]
    if not signs:
        return None
    return sum(signs) * 2 > len(signs)


def as_formula_input(metric_id: str, value: Decimal, printed_negative_costs: bool) -> Decimal:
    """The value a formula reads: a cost from a costs-as-negatives statement turned round."""
    return -value if printed_negative_costs and expense(metric_id) else value


class Signs:
    """Which way the table (else the statement) a fact was read from prints costs."""

    def __init__(self, facts: Iterable[Fact]):
        self._tables: dict[tuple, list[tuple[str, Decimal]]] = defaultdict(list)
        self._statements: dict[tuple, list[tuple[str, Decimal]]] = defaultdict(list)
        for f in facts:
            if f.unit != "text" and expense(f.metric) == "always":
                pair = (f.metric, Decimal(f.value))
                self._tables[(f.doc_id, f.page, f.table)].append(pair)
                self._statements[(f.doc_id, f.statement)].append(pair)

    def costs_negative(self, f: Fact) -> bool:
        """The fact's own table decides; a table without a pure cost line (a statement
        continued on the next page) takes its statement's way; nothing known: costs positive."""
        for index, key in (
            (self._tables, (f.doc_id, f.page, f.table)),
            (self._statements, (f.doc_id, f.statement)),
        ):
            verdict = costs_negative(index.get(key, ()))
            if verdict is not None:
                return verdict
        return False

    def value(self, f: Fact) -> Decimal:
        """The fact's value as a formula reads it."""
        return as_formula_input(f.metric, Decimal(f.value), self.costs_negative(f))

    def turned(self, f: Fact) -> bool:
        return self.value(f) != Decimal(f.value)
