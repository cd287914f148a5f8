"""Ingest speed: `domainsft ingest` vs a plain pdfplumber pass, same pages, same run, one core.

The baseline is what the SMP-2023 financial-LLM challenge's reference parser does per page:
pdfplumber `extract_text()` + `find_tables()`. Both sides get the same page subset of the
real reports in ../shared/data/reports (copied into temporary PDFs with pypdfium2), both run
in one process, and the script prints pages/s for each and the ratio (target: >= 3x).

    python benchmarks/bench_ingest.py [--pages-per-doc 30] [--docs N]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import pypdfium2 as pdfium

ROOT = Path(__file__).resolve().parents[1]
REPORTS = ROOT.parent / "shared" / "data" / "reports"
DEFAULT_DOCS = [
    "zh/cn_603339_sifang_2019_annual_report.pdf",
    "zh/cn_600201_jinyu_2020_annual_report.pdf",
    "zh/cn_000001_pingan_bank_2024_annual_report.pdf",
    "en/financebench/3M_2018_10K.pdf",
    "en/financebench/AMAZON_2019_10K.pdf",
    "en/financebench/NIKE_2021_10K.pdf",
    "en/erc/0981826b4b43a88920f3e01c71ae73539bab84cc.pdf",
]


def subset(src: Path, dst: Path, n: int) -> int:
    """Copy up to n pages from the middle of the report (where the statements are)."""
    doc = pdfium.PdfDocument(src)
    total = len(doc)
    start = max(0, min(total - n, total // 3))
    out = pdfium.PdfDocument.new()
    out.import_pages(doc, list(range(start, min(total, start + n))))
    out.save(dst)
    return len(out)


def run_pdfplumber(files: list[Path]) -> tuple[int, int, float]:
    import pdfplumber

    pages = tables = 0
    t0 = time.perf_counter()
    for f in files:
        with pdfplumber.open(f) as pdf:
            for page in pdf.pages:
                page.extract_text()
                tables += len(page.find_tables())
                pages += 1
    return pages, tables, time.perf_counter() - t0


def run_domainsft(files: list[Path], out: Path) -> tuple[int, int, float]:
    from domainsft.config import IngestConfig
    from domainsft.ingest.pipeline import ingest

    t0 = time.perf_counter()
    res = ingest(files, IngestConfig(out=out, workers=1))
    return res.stats["pages"], res.stats["tables"], time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages-per-doc", type=int, default=30)
    ap.add_argument("--docs", type=int, default=len(DEFAULT_DOCS))
    args = ap.parse_args()
    if not REPORTS.exists():
        print(f"shared reports not found at {REPORTS}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for rel in DEFAULT_DOCS[: args.docs]:
            dst = Path(tmp) / (Path(rel).stem + ".pdf")
            subset(REPORTS / rel, dst, args.pages_per_doc)
            files.append(dst)
        run_domainsft(files[:1], Path(tmp) / "warm")  # load OCR models etc. outside the timing
        ours = run_domainsft(files, Path(tmp) / "out")
        base = run_pdfplumber(files)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'':14}{'pages':>8}{'tables':>8}{'seconds':>10}{'pages/s':>10}")
    for name, (p, t, s) in (("domainsft", ours), ("pdfplumber", base)):
        print(f"{name:14}{p:>8}{t:>8}{s:>10.2f}{p / s:>10.2f}")
    ratio = (ours[0] / ours[2]) / (base[0] / base[2])
    print(f"speed-up (pages/s per core): {ratio:.2f}x  (target >= 3x); peak RSS {rss:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
