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

from collections.abc import Iterable
from decimal import Decimal

from domainsft.domains.finance import metrics


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
