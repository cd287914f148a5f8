"""Cited pages and the Enterprise RAG Challenge page-reference score.

A page reference is ``(document, page)``; ``document`` is None where only a page is known
(``第5页``, ``page 5`` in an answer), and such a reference matches that page in any document.
Pages are compared as given: domainsft prints 1-based pages, so gold converted from the
challenge's 0-based ``sha1:page`` references needs ``page + 1``.
"""

from __future__ import annotations

from typing import Any

from domainsft.grounding import cited_page_numbers
from domainsft.utils.jsonl import InputError

PageRef = tuple[str | None, int]

# The challenge's rule (trustbit/enterprise-rag-challenge, round 2): each cited page outside
# every gold pool costs 0.1, each gold pool with no cited page costs 0.25.
EXTRA_PAGE_COST = 0.1
MISSED_POOL_COST = 0.25


def parse_ref(ref: Any, where: str) -> PageRef:
    """``5`` → (None, 5); ``"sha1:5"`` → ("sha1", 5); ``{"doc": d, "page": 5}`` → (d, 5)."""
    if isinstance(ref, dict) and "page" in ref:
        doc, page = ref.get("doc") or ref.get("doc_id"), ref["page"]
    elif isinstance(ref, str) and ":" in ref:
        doc, _, page = ref.rpartition(":")
    else:
        doc, page = None, ref
    try:
        if isinstance(page, bool):
            raise ValueError
        return (str(doc) if doc else None, int(page))
    except (TypeError, ValueError):
        raise InputError(
            f"{where}: bad page reference {ref!r}; use a page number, 'doc:page' or "
            '{"doc": ..., "page": ...}'
        ) from None


def parse_pools(pages: Any, where: str) -> tuple[tuple[PageRef, ...], ...]:
    """Gold ``pages``: a list of pools (lists: any one page of a pool will do), or a flat list
    where each page is its own pool."""
    if pages is None:
        return ()
    if not isinstance(pages, list):
        raise InputError(f'{where}: "pages" must be a list of pages or of page pools')
    return tuple(
        tuple(parse_ref(r, where) for r in p) if isinstance(p, list) else (parse_ref(p, where),)
        for p in pages
    )


def cited_pages(prediction: dict[str, Any], where: str) -> list[PageRef]:
    """The pages a prediction cites: its ``pages`` field, else the page references in its
    output (``第5页``, ``p. 7``, ``page 12``)."""
    if prediction.get("pages") is not None:
        pools = parse_pools(prediction["pages"], where)
        return [ref for pool in pools for ref in pool]
    output = prediction.get("output") or ""
    return [(None, page) for page in cited_page_numbers(str(output))]


def _same(cited: PageRef, gold: PageRef) -> bool:
    return cited[1] == gold[1] and (cited[0] is None or gold[0] is None or cited[0] == gold[0])


def page_score(cited: list[PageRef], pools: tuple[tuple[PageRef, ...], ...]) -> dict[str, Any]:
    """``{"score", "extra", "missed"}``: 1 minus the challenge's costs, floored at 0."""
    unique = list(dict.fromkeys(cited))
    extra = [c for c in unique if not any(_same(c, g) for pool in pools for g in pool)]
    missed = [pool for pool in pools if not any(_same(c, g) for c in unique for g in pool)]
    score = max(0.0, 1.0 - EXTRA_PAGE_COST * len(extra) - MISSED_POOL_COST * len(missed))
    return {"score": round(score, 4), "extra": len(extra), "missed": len(missed)}
