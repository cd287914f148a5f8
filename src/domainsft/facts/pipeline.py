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

from domainsft.config import FactsConfig
from domainsft.corpus import by_document, pages_file, read_pages
from domainsft.facts.document import DocFacts, extract_document
from domainsft.records import Fact, Reject
from domainsft.utils.jsonl import write_json, write_jsonl
from domainsft.utils.manifest import write_stage_record

ProgressFn = Callable[[int, int, str], None]  # (documents done, documents, current source)


@dataclass
class FactsResult:
    facts: list[Fact]
    rejects: list[Reject]
    stats: dict


def extract(
    corpus: str | Path, cfg: FactsConfig, progress: ProgressFn | None = None
) -> FactsResult:
    """Read the corpus, extract every document's facts, write the outputs."""
    start = time.perf_counter()
    docs = by_document(read_pages(corpus))
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
    _write(corpus, cfg, facts, rejects, stats)
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


def _write(
    corpus: str | Path, cfg: FactsConfig, facts: list[Fact], rejects: list[Reject], stats: dict
) -> None:
    out = Path(cfg.out)
    write_jsonl(out, (f.to_dict() for f in facts))
    write_jsonl(out.with_name(f"{out.stem}_rejects.jsonl"), (r.to_dict() for r in rejects))
    write_json(out.with_name(f"{out.stem}_stats.json"), stats)
    write_stage_record(out.parent, "facts", cfg, record_inputs(corpus), name=out.stem)


def record_inputs(corpus: str | Path) -> dict[str, Path]:
    """The inputs the stage record hashes; `domainsft run` predicts the record from them. The
    record lies beside ``facts.out``, named after its stem (``facts_manifest.json``)."""
    return {"pages": pages_file(corpus)}
