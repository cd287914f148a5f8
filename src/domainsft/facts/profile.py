"""Basic-information rows of the company profile: 证券代码, 法定代表人, 注册地址, 电子信箱,
会计师事务所; stock code, legal representative, registered address, auditor.

Three layouts are read: a label beside its value (``公司的法定代表人 | 黄杰``); a row of labels
over a row of values (``股票简称 | 股票代码`` over ``四方科技 | 603339``); and a name given on
a sub-row (``| 名称 | 天健会计师事务所`` above ``公司聘请的会计师事务所（境内） | 办公地址 | ...``).
Redacted values (``[EMAIL]``) are not facts.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from domainsft.domains.finance import metrics
from domainsft.domains.finance.statements import layout
from domainsft.facts.candidates import Candidate, Where, text_fact
from domainsft.facts.identity import Identity
from domainsft.facts.items import Item
from domainsft.facts.labels import LabelMatch, lookup
from domainsft.facts.text import compact, squash
from domainsft.records import Page

COLUMN_CONFIDENCE = 0.9  # a value read under a column label, not beside its own label


def info_metric(label: str) -> str | None:
    """The basic-information metric a label names, or None."""
    found = lookup(label, "profile")
    if found and metrics()[found.metrics[0]].kind == "text":
        return found.metrics[0]
    return None


@dataclass
class ProfileReader:
    ident: Identity
    pending_name: str = ""  # a name given on a ['', '名称', X] sub-row
    columns: dict[int, str] = field(default_factory=dict)  # column -> its label
    counts: Counter[str] = field(default_factory=Counter)

    def column_labels(self, cells: tuple[str, ...]) -> None:
        """Remember a row of column labels when two or more name profile items."""
        found = {j: c for j, c in enumerate(cells) if info_metric(c)}
        self.columns = found if len(found) >= 2 else {}

    def under_columns(self, page: Page, item: Item, cells, block: int) -> list[Candidate]:
        """The values of the row below a row of column labels."""
        out = []
        for j, label in self.columns.items():
            value = cells[j].strip() if j < len(cells) else ""
            metric = info_metric(label)
            if value and metric and not layout().redacted.match(value):
                w = Where(page, "profile", "", item.table, item.row, j, item.text)
                fact = text_fact(self.ident, w, metric, squash(label), squash(value), 0.9)
                out.append(Candidate(fact, block, False))
        self.columns = {}
        return out

    def sublabel(self, cells) -> None:
        """``['', '名称', X]``: X is the name of the entity the next row's label names."""
        rest = [c.strip() for c in cells if c.strip()]
        if len(rest) == 2 and compact(rest[0]) in layout().name_sublabels:
            self.pending_name = rest[1]

    def beside(self, w: Where, metric: str, label: str, cells, match: LabelMatch, block: int):
        """The value beside a label (or the name its sub-row gave), as a candidate or None."""
        value = self.pending_name or next((c.strip() for c in cells[1:] if c.strip()), "")
        self.pending_name = ""
        if not value or layout().redacted.match(value):
            self.counts["redacted_or_empty_info"] += 1
            return None
        at = Where(w.page, "profile", "", w.table, w.row, 1, w.evidence)
        fact = text_fact(self.ident, at, metric, squash(label), squash(value), match.confidence)
        return Candidate(fact, block, False)
