"""Citation metrics: are the pages an output cites the right ones, and do they hold its figures?

A citation is a page reference in the output (``第5页``, ``p. 11``, ``page 3``; the kernel's
``page`` locators). The figure it vouches for is the nearest value number before it in the
same stretch of text (a line, a table cell between ``|``, a sentence), counting only from the
previous citation on; with none before it, the first after it in that stretch. The other
figures of the stretch back it up ("was $5.1 million, not $4.9 million (p. 7)" cites the
first). A citation is *supported* when one of its figures is on the cited page (see
``index.FigureIndex``: at the figure's precision, in the page's table scale, sign aside) of one
of the item's documents (``meta.doc_ids``). It falls back to "the page is one of the gold pages"
when the item's documents are not in ``env.pages`` (an item without ``doc_ids``: when no single
document of ``env.pages`` has that page), or when no figure stands next to it (the citation of a
name or of a section heading). With neither page texts nor gold pages it is not judged.

Pages are matched by number only: an answer cites "p. 4" without saying which year's report,
so with several documents a cited page stands for that page in each of them.
"""

from __future__ import annotations

from domainsft.eval.items import EvalItem
from domainsft.eval.metrics.base import MetricEnv
from domainsft.eval.pages import cited_pages, parse_pools
from domainsft.grounding import citations, holds
from domainsft.numbers import Quantity


def gold_pages(item: EvalItem) -> tuple[tuple[tuple[str | None, int], ...], ...]:
    """The gold page pools (any one page of a pool will do): the gold's ``pages``, else
    ``meta.pages`` (each page its own pool)."""
    if item.gold and item.gold.get("pages") is not None:
        return parse_pools(item.gold["pages"], item.id)
    return tuple(((str(d), int(p)),) for d, p in item.meta.get("pages") or [])


def _supported(
    item: EvalItem, page: int, figures: list[Quantity], texts: list[str] | None
) -> bool | None:
    """True/False, or None where nothing can say (no page text, no gold page)."""
    if texts is None or not figures:
        golden = {p for pool in gold_pages(item) for _d, p in pool}
        return (page in golden) if golden else None
    return any(holds(t, f) for t in texts for f in figures)


def _page_texts(item: EvalItem, env: MetricEnv, page: int, known: set[str]) -> list[str] | None:
    """The cited page in each of the item's documents; None where ``env.pages`` has none of
    them (or, for an item without ``doc_ids``, no single document has that page)."""
    docs = [str(d) for d in item.meta.get("doc_ids") or []]
    if not docs:
        text = env.pages.get(None, page)
        return [text] if text else None
    if not any(d in known for d in docs):
        return None
    return [t for t in (env.pages.get(d, page) for d in docs) if t]


def citation_precision(item: EvalItem, output: str, env: MetricEnv) -> float | None:
    """Share of the output's page citations whose page holds the figure cited."""
    known = {d for d, _p in env.pages.texts}
    verdicts = [
        _supported(item, int(p.value), figs, _page_texts(item, env, int(p.value), known))
        for p, figs in citations(output)
    ]
    judged = [v for v in verdicts if v is not None]
    return sum(judged) / len(judged) if judged else None


def citation_recall(item: EvalItem, output: str, env: MetricEnv) -> float | None:
    """Share of the gold pages (page pools) that the output cites."""
    pools = gold_pages(item)
    if not pools:
        return None
    cited = {p for _d, p in cited_pages({"output": output}, item.id)}
    return sum(any(p in cited for _d, p in pool) for pool in pools) / len(pools)
