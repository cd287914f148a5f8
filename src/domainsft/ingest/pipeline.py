"""`domainsft ingest`: files in parallel processes, then cross-document steps, then outputs.

Workers each take whole files (running headers are a per-document decision). Results are
written in input order whatever order the workers finish in, so the output is deterministic.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

from domainsft.config import IngestConfig
from domainsft.ingest.document import DocResult, process_file
from domainsft.records import Page, Reject
from domainsft.utils.jsonl import write_json, write_jsonl
from domainsft.utils.manifest import write_stage_record
from domainsft.utils.minhash import NearDuplicateIndex

ProgressFn = Callable[[int, int, str], None]  # (files done, pages done, current source)


@dataclass
class IngestResult:
    pages: list[Page]
    rejects: list[Reject]
    stats: dict


def expand_inputs(paths: Iterable[str | Path]) -> tuple[list[Path], list[Path]]:
    """Files to ingest, and files skipped inside folders because they are not ``*.pdf``.

    A file named explicitly is always attempted (a non-PDF then lands in the rejects with
    the reason); inside a folder only PDFs are taken and the rest are listed in the stats.
    """
    files: list[Path] = []
    skipped: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            for f in sorted(q for q in p.rglob("*") if q.is_file()):
                (files if f.suffix.lower() == ".pdf" else skipped).append(f)
        else:
            files.append(p)
    return files, skipped


def ingest(paths: Iterable[str | Path], cfg: IngestConfig, progress: ProgressFn | None = None):
    start = time.perf_counter()
    files, skipped = expand_inputs(paths)
    results = _run_workers([str(f) for f in files], cfg, progress)
    pages: list[Page] = []
    rejects: list[Reject] = []
    seen: dict[str, str] = {}
    for res in results:
        if res.reject is None and res.doc_id in seen:
            reason = f"same document as {seen[res.doc_id]} (identical sha256)"
            res.reject = Reject(source=res.source, reason=reason, stage="ingest")
        if res.reject is not None:
            rejects.append(res.reject)
            continue
        seen[res.doc_id] = res.source
        pages.extend(res.pages)
    if cfg.dedup:
        mark_duplicates(pages, cfg.dedup_threshold)
    stats = _stats(files, skipped, results, pages, rejects, time.perf_counter() - start)
    write_outputs(cfg, pages, rejects, stats)
    write_stage_record(Path(cfg.out), "ingest", cfg, record_inputs(files))
    return IngestResult(pages=pages, rejects=rejects, stats=stats)


def record_inputs(files: list[Path]) -> dict[str, list[str]]:
    """The inputs the stage record hashes (the files of ``expand_inputs``); `domainsft run`
    predicts the record from them."""
    return {"documents": [str(f) for f in files]}


def _run_workers(files: list[str], cfg: IngestConfig, progress: ProgressFn | None):
    workers = max(1, min(cfg.workers or os.cpu_count() or 1, len(files)))
    if workers == 1:
        return _collect((process_file(f, cfg) for f in files), progress)
    # "spawn", not fork: a parent that already runs onnxruntime or torch thread pools (an
    # eval job, a test session) can deadlock a forked child on a lock held by another thread.
    # `map` yields in input order while the workers run ahead, so the output is deterministic.
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        try:
            return _collect(pool.map(process_file, files, [cfg] * len(files)), progress)
        except BrokenProcessPool as exc:
            raise RuntimeError(
                "an ingest worker process died before finishing. If you call ingest() from a "
                "script, put the call under `if __name__ == '__main__':` (workers are spawned "
                "and re-import the script), or set workers=1; if it ran out of memory, use "
                "fewer workers."
            ) from exc


def _collect(results: Iterable[DocResult], progress: ProgressFn | None) -> list[DocResult]:
    done: list[DocResult] = []
    n_pages = 0
    for res in results:
        done.append(res)
        n_pages += len(res.pages)
        if progress:
            progress(len(done), n_pages, res.source)
    return done


def mark_duplicates(pages: list[Page], threshold: float) -> int:
    """Flag pages that repeat an earlier page (MinHash); their text stays for citations."""
    index = NearDuplicateIndex(threshold=threshold)
    n = 0
    for p in pages:
        key = f"{p.doc_id}:{p.page}"
        earlier = index.add(key, p.text)
        if earlier is not None:
            p.flags["duplicate"] = True
            p.duplicate_of = earlier
            n += 1
    return n


def _stats(files, skipped, results, pages, rejects, seconds) -> dict:
    redactions: Counter[str] = Counter()
    for p in pages:
        redactions.update(p.redactions)
    n_pages = len(pages)
    return {
        "files": len(files),
        "files_ingested": len(files) - len(rejects),
        "files_skipped_not_pdf": [str(s) for s in skipped],
        "pages": n_pages,
        "ocr_pages": sum(p.flags["ocr"] for p in pages),
        "empty_pages": sum(p.flags["empty"] for p in pages),
        "garbled_pages": sum(p.flags["garbled"] for p in pages),
        "duplicate_pages": sum(p.flags["duplicate"] for p in pages),
        "tables": sum(len(p.tables) for p in pages),
        "rejects": len(rejects),
        "page_errors": {r.source: r.page_errors for r in results if r.page_errors},
        "redactions": dict(sorted(redactions.items())),
        "header_footer_lines_removed": sum(len(p.removed_lines) for p in pages),
        "seconds": round(seconds, 3),
        "pages_per_second": round(n_pages / seconds, 2) if seconds > 0 else None,
    }


def write_outputs(cfg: IngestConfig, pages: list[Page], rejects: list[Reject], stats: dict):
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    write_jsonl(out / "pages.jsonl", (p.to_dict() for p in pages))
    write_jsonl(out / "rejects.jsonl", (r.to_dict() for r in rejects))
    write_json(out / "ingest_stats.json", stats)
    by_doc: dict[str, Counter[str]] = {}
    for p in pages:
        by_doc.setdefault(p.source, Counter()).update(p.redactions)
    log = {"total": stats["redactions"], "by_document": {k: dict(v) for k, v in by_doc.items()}}
    write_json(out / "redaction_log.json", log)
