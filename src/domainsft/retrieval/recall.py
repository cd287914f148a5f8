"""Page recall of questions whose answer pages are known: the SFT examples the dataset builder
makes from facts (``meta.pages``: the pages the answer cites; ``meta.fact_ids``: its facts).

Each example's question (its last user turn, without a ``Context:`` block the prompt may carry)
is searched within each document it cites (``meta.pages``), with the company's names taken out
(the caller of a scoped search knows them). A cited page counts as found when it is among the
top ``k`` (``strict``), or, for ``figure``, when a page among them prints every figure the
answer takes from the cited page: the same metric, period and value in the same report. A
report prints a key figure on several pages (主要会计数据, the statement, the MD&A); the builder
cites the first, and any of them answers the question.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from domainsft.records import Example, Fact
from domainsft.retrieval.index import PageIndex


@dataclass
class Recall:
    """Cited pages found, by task family."""

    k: int
    total: Counter[str] = field(default_factory=Counter)
    strict: Counter[str] = field(default_factory=Counter)
    figure: Counter[str] = field(default_factory=Counter)
    searches: int = 0

    def rate(self, kind: str = "figure", family: str | None = None) -> float:
        found = getattr(self, kind)
        hits = found[family] if family else sum(found.values())
        total = self.total[family] if family else sum(self.total.values())
        return hits / total if total else 0.0


def question_of(example: Example) -> str:
    """The last user turn without the evidence that a grounded prompt opens with."""
    from domainsft.domains.finance.assistant import bare_question

    return bare_question([m["content"] for m in example.messages if m["role"] == "user"][-1])


def page_recall(
    index: PageIndex, examples: Iterable[Example], facts: Iterable[Fact], k: int = 3
) -> Recall:
    """Search every example that cites pages; count the cited pages found (module doc)."""
    facts = list(facts)
    by_id = {f.fact_id: f for f in facts}
    printed_on: dict[tuple, set[int]] = {}
    names: dict[str, set[str]] = {}
    for f in facts:
        printed_on.setdefault(_figure(f), set()).add(f.page)
        names.setdefault(f.doc_id, set()).update(n for n in (f.company, f.company_short) if n)
    out = Recall(k)
    for example in examples:
        cited = [tuple(p) for p in example.meta.get("pages") or []]
        if not cited:
            continue
        question, family = question_of(example), str(example.meta.get("family", ""))
        found: dict[str, set[int]] = {}
        for doc in dict.fromkeys(d for d, _ in cited):
            hits = index.search(question, k, docs=[doc], ignore=names.get(doc, ()))
            found[doc] = {h.page for h in hits}
            out.searches += 1
        answer = [by_id[f] for f in example.meta.get("fact_ids") or [] if f in by_id]
        for doc, page in cited:
            on_page = [f for f in answer if (f.doc_id, f.page) == (doc, page)]
            strict = page in found[doc]
            figure = strict or (
                bool(on_page)
                and any(all(p in printed_on[_figure(f)] for f in on_page) for p in found[doc])
            )
            out.total[family] += 1
            out.strict[family] += strict
            out.figure[family] += figure
    return out


def _figure(f: Fact) -> tuple:
    return (f.doc_id, f.metric, str(f.value), f.period, f.period_end, f.fiscal_year)
