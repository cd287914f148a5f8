"""One document end to end, inside a worker process: bytes -> Page records.

The order is fixed: read every page, OCR the ones whose text layer is missing or garbled,
remove running headers/footers (a whole-document decision), then per page build text and
tables, clean numbers, redact personal data and annotate financial terms.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from domainsft.config import IngestConfig
from domainsft.corpus import document_id_of_bytes
from domainsft.domains.finance.terms import annotate_terms
from domainsft.ingest.clean import clean_text
from domainsft.ingest.headers_footers import find_running, normalise
from domainsft.ingest.lang import detect_lang, is_garbled
from domainsft.ingest.layout import Line, Seg, group_lines
from domainsft.ingest.pdf import RawPage, RejectedInput, check_file, open_document, read_page
from domainsft.ingest.structure import page_structure
from domainsft.records import Page, Reject
from domainsft.redact import Redactor

# A page with fewer text-layer characters than this and a large image is a scan.
_MIN_TEXT_CHARS = 20
_SCAN_IMAGE_SHARE = 0.3


@dataclass
class DocResult:
    source: str
    doc_id: str = ""
    pages: list[Page] = field(default_factory=list)
    reject: Reject | None = None
    page_errors: list[str] = field(default_factory=list)
    seconds: float = 0.0


def process_file(path: str, cfg: IngestConfig) -> DocResult:
    result = DocResult(source=path)
    try:
        data = check_file(Path(path))
        result.doc_id = document_id_of_bytes(data)
        doc = open_document(data)
    except RejectedInput as exc:
        result.reject = Reject(source=path, reason=str(exc), stage="ingest")
        return result
    try:
        result.pages = _pages(doc, path, result.doc_id, cfg, result.page_errors)
    finally:
        doc.close()
    return result


def _pages(doc, path: str, doc_id: str, cfg: IngestConfig, errors: list[str]) -> list[Page]:
    raws: list[RawPage] = []
    ocr_flags: list[bool] = []
    for i in range(len(doc)):
        try:
            raw = read_page(doc, i)
        except Exception as exc:  # one broken page must not lose the rest of the report
            errors.append(f"page {i + 1}: {exc}")
            raw = RawPage(number=i + 1, width=595.0, height=842.0)
        use_ocr = _needs_ocr(raw, cfg)
        if use_ocr:
            raw.segs = _ocr_segs(doc, i, cfg, errors)
        raws.append(raw)
        ocr_flags.append(use_ocr)
    # OCR boxes are cells already; only boxes almost touching belong to one cell.
    lines = [
        group_lines(r.segs, 0.35 if ocr else 1.2) for r, ocr in zip(raws, ocr_flags, strict=True)
    ]
    running = find_running(
        [(ls, (r.width, r.height)) for ls, r in zip(lines, raws, strict=True)],
        cfg.header_footer_band,
        cfg.header_footer_min_share,
    )
    margin = repeated_margin_text(raws)
    redactor = Redactor(cfg.redact)
    pages = []
    for raw, ls, drop, ocr in zip(raws, lines, running, ocr_flags, strict=True):
        pages.append(_page(raw, ls, drop, ocr, doc_id, path, cfg, redactor, margin))
    return pages


def repeated_margin_text(raws: list[RawPage]) -> set[str]:
    """Sideways text on three or more pages: a running section title up the page margin.

    Like chapter headers, these recur only over their section, so the floor is a page count,
    not a share of the document.
    """
    counts = Counter(normalise(" ".join(r.rotated)) for r in raws if r.rotated)
    return {t for t, c in counts.items() if c >= 3}


def _needs_ocr(raw: RawPage, cfg: IngestConfig) -> bool:
    if cfg.ocr == "never":
        return False
    if cfg.ocr == "always":
        return True
    n_chars = sum(len(s.text) for s in raw.segs)
    if n_chars < _MIN_TEXT_CHARS:
        return raw.image_area >= _SCAN_IMAGE_SHARE
    return is_garbled("".join(s.text for s in raw.segs))


def _ocr_segs(doc, index: int, cfg: IngestConfig, errors: list[str]) -> list[Seg]:
    from domainsft.ingest.ocr import ocr_page

    page = doc[index]
    try:
        lines = ocr_page(page, engine=cfg.ocr_engine, dpi=cfg.ocr_dpi)
    except Exception as exc:
        errors.append(f"page {index + 1}: OCR failed: {exc}")
        return []
    finally:
        page.close()
    return [Seg(*ln.bbox, ln.text) for ln in lines]


def _page(
    raw: RawPage,
    lines: list[Line],
    drop: set[int],
    ocr: bool,
    doc_id: str,
    path: str,
    cfg: IngestConfig,
    redactor: Redactor,
    margin: set[str],
) -> Page:
    kept = [ln for i, ln in enumerate(lines) if i not in drop]
    text, tables = page_structure(kept, raw.hrules, raw.vrules, with_tables=cfg.tables)
    removed = [lines[i].text for i in sorted(drop)]
    sideways = " ".join(raw.rotated)
    if sideways and normalise(sideways) in margin:
        removed.append(sideways)
    elif sideways:
        text = f"{text}\n{sideways}" if text else sideways
    text = clean_text(text, ocr=ocr)
    tables = [[[clean_text(c, ocr=ocr) for c in row] for row in t] for t in tables]
    counts: Counter[str] = Counter()
    text, n = redactor.redact(text)
    counts.update(n)
    for t in tables:
        for row in t:
            for j, cell in enumerate(row):
                row[j], _ = redactor.redact(cell)  # counted once, in the text
    return Page(
        doc_id=doc_id,
        source=path,
        page=raw.number,
        text=text,
        tables=tables,
        flags={
            "ocr": ocr,
            "empty": not text.strip(),
            "garbled": not ocr and bool(text) and is_garbled(text),
            "duplicate": False,
        },
        lang=detect_lang(text),
        removed_lines=removed,
        terms=annotate_terms(text),
        redactions=dict(counts),
    )
