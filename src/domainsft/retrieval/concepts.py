"""Concept tokens: one token per metric the domain pack finds on a page or in a query.

jieba splits a long label into many overlapping words (经营活动产生的现金流量净额 gives 经营, 活动,
产生, 现金, 金流, 流量, 现金流, 现金流量, 净额), and a page that prints the neighbouring
"经营活动产生的现金流量：" heading shares most of them. The domain pack's term annotator
(``terms.annotate_terms``) knows where the whole label is, whatever synonym or language it is
printed in; each annotation adds the token ``@<metric id>`` (``@operating_cash_flow``), which no
text token can equal (text tokens hold no ``@``). A query that names the metric, or a formula
that reads it, carries the same token, so the page that prints the label matches it as one
rare word, in Chinese and English alike.

``CONCEPTS_VERSION`` changes with the taxonomy file, so that cached tokens follow its edits.
"""

from __future__ import annotations

import hashlib
from functools import cache

PREFIX = "@"


def concept_tokens(text: str) -> list[str]:
    """``@<metric id>`` for each metric label annotated in ``text`` that shows a figure: a
    digit follows it on its line (a table row, "...净额为91,423.57万元"), or the metric's value
    is text (the auditor's name). A label in prose without a figure ("收入确认和应收账款的减值"
    in an audit opinion) is no page of the figure, and its words still count as words."""
    from domainsft.domains.finance import metrics
    from domainsft.domains.finance.terms import annotate_terms

    out = []
    for a in annotate_terms(text):
        end = text.find("\n", a.end)
        rest = text[a.end : end if end >= 0 else len(text)]
        if metrics()[a.metric].kind == "text" or any(c.isdigit() for c in rest):
            out.append(PREFIX + a.metric)
    return out


def concept(metric_id: str) -> str:
    return PREFIX + metric_id


@cache
def concepts_version() -> str:
    """A digest of the taxonomy the annotator reads (metrics.yaml)."""
    from domainsft.domains.finance import PACK_DIR

    return hashlib.sha256((PACK_DIR / "metrics.yaml").read_bytes()).hexdigest()[:16]
