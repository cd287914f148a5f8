"""`domainsft sample-reports`: write the synthetic corpus and its ground truth to ``cfg.out``."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

from domainsft.config import SamplesConfig, parse_years
from domainsft.samples.company import Company, make_company
from domainsft.samples.financials import make_history
from domainsft.samples.report import Report, build_report, render_report
from domainsft.samples.truth import fact_records, manifest_entry, pii_records
from domainsft.utils.jsonl import write_json, write_jsonl
from domainsft.utils.manifest import write_stage_record

Progress = Callable[[str], None]


def companies(cfg: SamplesConfig) -> list[Company]:
    """The fictional issuers of a config; names and codes are unique within the corpus."""
    langs = ["zh", "en"] if cfg.lang == "both" else [cfg.lang]
    out: list[Company] = []
    for lang in langs:
        names: set[str] = set()
        for i in range(cfg.companies):
            for salt in range(1000):  # redraw on a clash: no two issuers share a name or code
                c = make_company(i, lang, cfg.seed, salt)
                if c.name not in names and c.stock_code not in names:
                    break
            else:
                raise RuntimeError(f"could not draw {cfg.companies} distinct {lang} companies")
            names.update((c.name, c.stock_code))
            out.append(c)
    return out


def build_reports(cfg: SamplesConfig) -> list[Report]:
    """Every report of the config, laid out but not rendered (cheap: used by tests too)."""
    years = parse_years(cfg.years)
    reports = []
    for c in companies(cfg):
        rng = random.Random(f"{cfg.seed}/{c.company_id}/financials")
        history = make_history(rng, c.unit, years, c.lang)
        for year in years:
            reports.append(build_report(c, year, history, cfg.seed, cfg.scanned_pages))
    return reports


def generate(cfg: SamplesConfig, progress: Progress | None = None) -> dict[str, Any]:
    """Write one PDF per company x year x language plus truth.jsonl, pii.jsonl, manifest.json."""
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    reports = build_reports(cfg)
    facts, pii, docs = [], [], []
    for n, report in enumerate(reports, start=1):
        pdf = render_report(report, cfg.seed)
        path = out / report.doc
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(pdf)
        tmp.replace(path)
        facts += fact_records(report)
        pii += pii_records(report)
        docs.append(manifest_entry(report))
        if progress:
            progress(f"[{n}/{len(reports)}] {report.doc}: {len(report.pages)} pages")
    write_jsonl(out / "truth.jsonl", facts)
    write_jsonl(out / "pii.jsonl", pii)
    manifest = {
        "generator": "domainsft.samples",
        "seed": cfg.seed,
        "years": cfg.years,
        "lang": cfg.lang,
        "companies": cfg.companies,
        "scanned_pages_per_report": cfg.scanned_pages,
        "docs": docs,
    }
    write_json(out / "manifest.json", manifest)
    write_stage_record(out, "samples", cfg, {})
    return {
        "n_reports": len(reports),
        "n_pages": sum(d["n_pages"] for d in docs),
        "n_facts": len(facts),
        "n_pii": len(pii),
        "paths": {
            "out": str(out),
            "truth": str(out / "truth.jsonl"),
            "pii": str(out / "pii.jsonl"),
            "manifest": str(out / "manifest.json"),
            "pdfs": [str(out / d["file"]) for d in docs],
        },
    }
