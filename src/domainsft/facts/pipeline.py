"""`domainsft facts`: pages.jsonl -> facts.jsonl, one document at a time, in input order.

Beside ``facts.jsonl`` it writes ``<stem>_rejects.jsonl`` (row labels no metric matched,
figures that lost a conflict to a total line, documents without a fiscal year: nothing vanishes
silently), ``<stem>_stats.json`` and ``<stem>_config.yaml`` (the resolved configuration).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from domainsft.config import FactsConfig, dump_config
from domainsft.facts.document import DocFacts, extract_document
from domainsft.records import Fact, Page, Reject
from domainsft.utils.jsonl import InputError, read_jsonl, write_json, write_jsonl

ProgressFn = Callable[[int, int, str], None]  # (documents done, documents, current source)

_PAGE_HINT = (
    "each line must be one page record as `domainsft ingest` writes it (doc_id, source, page, "
    "text, tables ...); re-run `domainsft ingest` to regenerate the file"
)


@dataclass
class FactsResult:
    facts: list[Fact]
    rejects: list[Reject]
    stats: dict


def pages_file(corpus: str | Path) -> Path:
    """``corpus`` is a folder holding pages.jsonl, or the file itself."""
    path = Path(corpus)
    return path / "pages.jsonl" if path.is_dir() else path


def read_pages(path: Path) -> list[list[Page]]:
    """Pages grouped by document, documents in order of first appearance, pages by number."""
    docs: dict[str, list[Page]] = {}
    for lineno, record in read_jsonl(path):
        page = _page(path, lineno, record)
        docs.setdefault(page.doc_id, []).append(page)
    return [sorted(pages, key=lambda p: p.page) for pages in docs.values()]


def _page(path: Path, lineno: int, record: dict) -> Page:
    try:
        page = Page.from_dict(record)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{path}:{lineno}: not a page record ({exc}); {_PAGE_HINT}") from None
    problem = _check(page)
    if problem:
        raise InputError(f"{path}:{lineno}: {problem}; {_PAGE_HINT}")
    return page


def _check(page: Page) -> str:
    if not isinstance(page.doc_id, str) or not page.doc_id:
        return "`doc_id` must be a non-empty string"
    if not isinstance(page.page, int) or page.page < 1:
        return f"`page` must be a 1-based integer, got {page.page!r}"
    if not isinstance(page.text, str):
        return "`text` must be a string"
    tables_ok = isinstance(page.tables, list) and all(
        isinstance(t, list) and all(isinstance(r, list) for r in t) for t in page.tables
    )
    return "" if tables_ok else "`tables` must be a list of tables of rows of cells"


def extract(
    corpus: str | Path, cfg: FactsConfig, progress: ProgressFn | None = None
) -> FactsResult:
    """Read the corpus, extract every document's facts, write the outputs."""
    start = time.perf_counter()
    docs = read_pages(pages_file(corpus))
    facts: list[Fact] = []
    rejects: list[Reject] = []
    counts: Counter[str] = Counter()
    for done, pages in enumerate(docs, start=1):
        try:
            result = extract_document(pages, prose=cfg.prose)
        except Exception as exc:  # one unreadable document must not stop the corpus
            detail = f"{type(exc).__name__}: {exc} (please report this with the document)"
            rejects.append(Reject(pages[0].source, "fact extraction failed", "facts", detail))
            continue
        facts += [f for f in result.facts if _keep(f, cfg)]
        rejects += list(_rejects(result, cfg))
        counts.update(result.counts)
        if progress:
            progress(done, len(docs), pages[0].source)
    stats = _stats(docs, facts, rejects, counts, time.perf_counter() - start)
    _write(cfg, facts, rejects, stats)
    return FactsResult(facts, rejects, stats)


def _keep(fact: Fact, cfg: FactsConfig) -> bool:
    if fact.confidence < cfg.min_confidence:
        return False
    return cfg.parent_scope or fact.scope != "parent"


def _rejects(result: DocFacts, cfg: FactsConfig) -> Iterator[Reject]:
    source = result.identity.source
    if result.identity.report_year is None:
        detail = "no '2019年年度报告' / 'For the fiscal year ended ...' found on the first pages"
        yield Reject(source, "fiscal year not found", "facts", detail)
    for s in result.superseded:
        detail = (
            f"p{s.fact.page} {s.fact.metric} {s.fact.fiscal_year}: '{s.fact.label}' "
            f"{s.fact.value} superseded by '{s.by.label}' {s.by.value} (p{s.by.page})"
        )
        yield Reject(source, "superseded by a total line", "facts", detail)
    if cfg.unmapped_rejects:
        seen: set[tuple[str, str]] = set()
        for u in result.unmapped:
            if (u.statement, u.label) not in seen:
                seen.add((u.statement, u.label))
                detail = f"p{u.page} [{u.statement}] {u.label}"
                yield Reject(source, "row label not in the taxonomy", "facts", detail)


def _stats(docs, facts: list[Fact], rejects: list[Reject], counts: Counter, seconds: float):
    return {
        "documents": len(docs),
        "pages": sum(len(d) for d in docs),
        "facts": len(facts),
        "facts_by_statement": dict(Counter(f.statement for f in facts).most_common()),
        "facts_below_0.9_confidence": sum(f.confidence < 0.9 for f in facts),
        "rejects_by_reason": dict(Counter(r.reason for r in rejects).most_common()),
        "reader_counts": dict(counts.most_common()),
        "seconds": round(seconds, 3),
    }


def _write(cfg: FactsConfig, facts: list[Fact], rejects: list[Reject], stats: dict) -> None:
    out = Path(cfg.out)
    write_jsonl(out, (f.to_dict() for f in facts))
    write_jsonl(out.with_name(f"{out.stem}_rejects.jsonl"), (r.to_dict() for r in rejects))
    write_json(out.with_name(f"{out.stem}_stats.json"), stats)
    out.with_name(f"{out.stem}_config.yaml").write_text(dump_config(cfg), encoding="utf-8")
