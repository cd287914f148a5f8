"""Page retrieval: the retrieval kernel vs the hand-written BM25 it replaced, same questions, same
pages, one run.

1. Enterprise RAG Challenge round 2, the 18 questions whose reports ship in
   ../shared/data/reports/en/erc: is a gold page in the top 3 (target: >= 16 of 18)?
2. Sample reports (``domainsft sample-reports``): the dataset builder's questions, each searched
   within the reports it cites; is the cited page, or a page printing the same figures, in the
   top 3 (``domainsft.retrieval.recall``; target: >= 98 %)? Reported per task family.
3. Timings: opening the corpus cold (tokenise and index, cache written) and warm (cache read),
   the first search (loads jieba and the domain pack once per process) and the mean search.

The baseline is a compact copy of the BM25 that eval/suites/retrieval.py had: pure Python,
CJK unigrams, a crude English suffix stripper, one index per report, no query expansion. Both
sides get the same query text (ERC: the suite's ``search_query``; samples: the question with the
company's names taken out).

    python benchmarks/bench_retrieval.py [--work DIR] [--companies 9] [--years 2021-2023]

Corpora are built under --work when missing there (ERC ingest ~70 s; 54 sample reports with
facts and dataset ~2 min on 2 cores) and reused on the next run.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import shutil
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
ERC = SHARED / "qa" / "erc_round2"


# --------------------------------------------------------------------- baseline (old BM25)
_OLD_TOKEN = re.compile(r"[a-z0-9]+(?:[.,][0-9]+)*|[\u3400-\u9fff]")
_OLD_WORDS = """a an the of in on at to for from by with and or not no is are was were be been
    being do does did has have had it its this that these those as if than then there their they
    we our us you your he she his her what which who whom whose how when where why any all each
    some such into about over under per me my"""
_OLD_STOP = frozenset(_OLD_WORDS.split())
_OLD_SUFFIXES = ("ational", "ations", "ation", "ions", "ion", "ings", "ing", "ers", "er", "ies",
                 "ed", "es", "s")  # fmt: skip


def _old_tokenize(text: str) -> list[str]:
    out = []
    for t in _OLD_TOKEN.findall(text.lower()):
        if t in _OLD_STOP:
            continue
        for suffix in _OLD_SUFFIXES if t.isalpha() else ():
            if t.endswith(suffix) and len(t) - len(suffix) >= 3:
                t = t[: -len(suffix)] + ("y" if suffix == "ies" else "")
                break
        out.append(t)
    return out


class OldBm25:
    """Okapi BM25 (k1=1.5, b=0.75, "+1" idf) over one report's pages, as main had it."""

    def __init__(self, texts: list[str]):
        self.docs = [Counter(_old_tokenize(t)) for t in texts]
        self.lengths = [sum(d.values()) for d in self.docs]
        self.avg = sum(self.lengths) / len(self.docs) if self.docs else 0.0
        df: Counter[str] = Counter()
        for d in self.docs:
            df.update(d.keys())
        n = len(self.docs)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}

    def top(self, query: str, k: int) -> list[int]:
        terms = set(_old_tokenize(query))
        scores = []
        for doc, length in zip(self.docs, self.lengths, strict=True):
            norm = 1.5 * (0.25 + 0.75 * length / (self.avg or 1))
            weights = (self.idf[t] * doc[t] * 2.5 / (doc[t] + norm) for t in terms if t in doc)
            scores.append(sum(weights))
        return sorted(range(len(scores)), key=lambda i: (-scores[i], i))[:k]


class OldIndex:
    """The old per-report BM25 behind the kernel's ``search(question, k, docs, ignore)``."""

    def __init__(self, pages):
        self.pages: dict[str, list] = {}
        for p in pages:
            self.pages.setdefault(p.doc_id, []).append(p)
        self.index = {}
        for doc, ps in self.pages.items():
            ps.sort(key=lambda p: p.page)
            self.index[doc] = OldBm25([p.text for p in ps])

    def search(self, text, k=3, docs=(), ignore=()):
        for name in sorted(ignore, key=len, reverse=True):
            text = text.replace(name, " ")
        return [_Hit(self.pages[d][i].page) for d in docs for i in self.index[d].top(text, k)]


class _Hit:
    def __init__(self, page: int):
        self.page = page


# ----------------------------------------------------------------------------- corpora


def erc_corpus(work: Path) -> Path:
    out = work / "erc"
    if not (out / "pages.jsonl").exists():
        from domainsft.config import IngestConfig
        from domainsft.ingest.pipeline import ingest

        shas = sorted({r.split(":")[0] for q in _erc_questions() for p in q["reference_pools"]
                       for r in p})  # fmt: skip
        pdfs = [SHARED / "reports" / "en" / "erc" / f"{s}.pdf" for s in shas]
        ingest(pdfs, IngestConfig(out=out, workers=2))
    return out


def sample_corpus(work: Path, companies: int, years: str) -> tuple[Path, Path]:
    corpus, data = work / f"samples-{companies}-{years}", work / f"dataset-{companies}-{years}"
    if not (data / "test.jsonl").exists():
        from domainsft.config import (
            DatasetConfig,
            FactsConfig,
            IngestConfig,
            RedactConfig,
            SamplesConfig,
        )
        from domainsft.dataset import build
        from domainsft.facts import extract
        from domainsft.ingest.pipeline import ingest
        from domainsft.samples import generate

        reports = work / f"reports-{companies}-{years}"
        generate(SamplesConfig(out=reports, companies=companies, years=years, lang="both"))
        ingest([reports], IngestConfig(out=corpus, workers=2, redact=RedactConfig(enabled=False)))
        extract(corpus, FactsConfig(out=corpus / "facts.jsonl"))
        build(corpus, corpus / "facts.jsonl", DatasetConfig(out=data, replay_share=0.0))
    return corpus, data


def _erc_questions() -> list[dict]:
    return json.loads((ERC / "answers_on_shipped_pdfs.json").read_text(encoding="utf-8"))


# ------------------------------------------------------------------------ measurements


def erc_hits(index, pages) -> tuple[int, int, float]:
    """(questions with a gold page in the top 3, questions, seconds searching)."""
    from domainsft.eval.suites.erc import read_companies, report_shas, search_query

    companies = read_companies(ERC / "subset.json")
    names = {sha: name for name, sha in companies.items()}
    doc_of = {Path(p.source).stem: p.doc_id for p in pages}
    hits, seconds, questions = 0, 0.0, _erc_questions()
    for q in questions:
        shas = report_shas(q, companies)
        query = search_query(q["question"], [names.get(s, "") for s in shas])
        gold = {(doc_of[r.split(":")[0]], int(r.split(":")[1]) + 1)
                for pool in q["reference_pools"] for r in pool}  # fmt: skip
        start = time.perf_counter()
        found = {(doc_of[s], h.page) for s in shas for h in index.search(query, 3, [doc_of[s]])}
        seconds += time.perf_counter() - start
        hits += bool(found & gold)
    return hits, len(questions), seconds


def timed_open(corpus: Path):
    from domainsft.retrieval import PageIndex

    shutil.rmtree(corpus / "retrieval", ignore_errors=True)
    start = time.perf_counter()
    PageIndex.open(corpus)
    cold = time.perf_counter() - start
    start = time.perf_counter()
    index = PageIndex.open(corpus)
    warm = time.perf_counter() - start
    return index, cold, warm


def report(name: str, corpus: Path, data: Path | None) -> None:
    from domainsft.corpus import read_pages

    index, cold, warm = timed_open(corpus)
    pages = read_pages(corpus)
    start = time.perf_counter()
    old = OldIndex(pages)
    old_build = time.perf_counter() - start
    print(f"\n== {name}: {len({p.doc_id for p in pages})} reports, {len(pages)} pages")
    print(f"open    kernel cold {cold:.2f} s, warm {warm:.2f} s | baseline {old_build:.2f} s")
    start = time.perf_counter()
    index.search("经营活动产生的现金流量净额 net cash provided by operating activities", 3)
    first = time.perf_counter() - start
    print(f"first search {first:.2f} s (jieba and the domain pack load once per process)")
    if data is None:
        for label, side in (("kernel", index), ("baseline", old)):
            hits, n, secs = erc_hits(side, pages)
            print(f"ERC top-3 {label:8s} {hits}/{n}   {1000 * secs / n:.1f} ms/question")
    else:
        sample_recall(corpus, data, index, old)


def sample_recall(corpus: Path, data: Path, index, old) -> None:
    from domainsft.corpus import load_facts
    from domainsft.records import Example
    from domainsft.retrieval.recall import page_recall

    files = [data / f"{split}.jsonl" for split in ("train", "val", "test")]
    lines = [line for f in files for line in f.read_text(encoding="utf-8").splitlines()]
    examples = [Example.from_dict(json.loads(line)) for line in lines if line.strip()]
    facts = load_facts(corpus)
    results, seconds = {}, {}
    for label, side in (("kernel", index), ("baseline", old)):
        start = time.perf_counter()
        results[label] = page_recall(side, examples, facts)
        seconds[label] = time.perf_counter() - start
    new, base = results["kernel"], results["baseline"]
    print(f"{'family':9s} {'pages':>6s}   kernel figure / strict   baseline figure / strict")
    for family in [*sorted(new.total), None]:
        n = new.total[family] if family else sum(new.total.values())
        cells = [r.rate(kind, family) for r in (new, base) for kind in ("figure", "strict")]
        ratio = cells[0] / max(cells[2], 1e-9)
        print(f"{family or 'all':9s} {n:6d}   {cells[0]:7.2%} / {cells[1]:7.2%}"
              f"        {cells[2]:7.2%} / {cells[3]:7.2%}   x{ratio:.2f}")  # fmt: skip
    for label, r in results.items():
        ms = 1000 * seconds[label] / r.searches
        print(f"search  {label:8s} {ms:.2f} ms/search ({r.searches} searches)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--work", type=Path, default=Path("/tmp/bench_retrieval"))
    ap.add_argument("--companies", type=int, default=9)
    ap.add_argument("--years", default="2021-2023")
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    report("ERC round 2 (shipped reports)", erc_corpus(args.work), None)
    report("sample reports", *sample_corpus(args.work, args.companies, args.years))


if __name__ == "__main__":
    main()
