"""How much the answer pipeline adds to the model's own generation time, on a corpus of ~50
reports.

Builds (once, cached under --work) a corpus of 54 sample reports (9 companies, zh + en,
2021-2023), asks lookup questions drawn from its facts, and times, per question, everything the
pipeline does around the model: understanding, scope, draft, page passages, prompt (before) and
verifier, fallback, citation mending, guard (after). With --model it also generates each answer
with that model in the same run, so the overhead is printed beside the generation it adds to
(the baseline: the model answering the same prompt) and as a ratio. Target: < 0.5 s of
retrieval and verification per lookup.

    python benchmarks/bench_assistant.py                       # pipeline overhead only
    python benchmarks/bench_assistant.py --model default -n 8  # + SmolLM2 generation
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

from domainsft.assistant.pipeline import Assistant
from domainsft.config import AssistantConfig
from domainsft.corpus import load_facts
from domainsft.domains.finance.formulas import metric_label


def build_corpus(work: Path) -> Path:
    corpus = work / "corpus"
    if (corpus / "facts.jsonl").exists():
        return corpus
    cli = [sys.executable, "-m", "domainsft"]

    def run(*args: str) -> None:
        subprocess.run([*cli, *args], check=True)

    run("sample-reports", "--out", str(work / "reports"), "--companies", "9", "--years",
        "2021-2023", "--lang", "both", "--scanned-pages", "0", "--seed", "5")  # fmt: skip
    run("ingest", str(work / "reports"), "--out", str(corpus), "--ocr", "never")
    run("facts", str(corpus), "--out", str(corpus / "facts.jsonl"))
    return corpus


def questions(corpus: Path, n: int, seed: int) -> list[str]:
    facts = [
        f
        for f in load_facts(corpus)
        if f.unit != "text" and f.scope != "parent" and f.fiscal_year == f.report_year
        and f.statement == "key_figures"
    ]  # fmt: skip
    picked = random.Random(seed).sample(facts, min(n, len(facts)))
    out = []
    for f in picked:
        label = metric_label(f.metric, f.lang)
        if f.lang == "zh":
            out.append(f"{f.company_short or f.company}{f.fiscal_year}年的{label}是多少？")
        else:
            out.append(f"What was {f.company}'s {label} in FY{f.fiscal_year}?")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--work", type=Path, default=Path("runs/bench_assistant"))
    ap.add_argument("--corpus", type=Path, help="an existing corpus instead of the sample one")
    ap.add_argument("--model", help="also generate with this model (e.g. default)")
    ap.add_argument("-n", type=int, default=200, help="questions (with --model: keep it small)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    corpus = args.corpus or build_corpus(args.work)
    start = time.perf_counter()
    draft_only = Assistant(corpus, None, AssistantConfig())
    opened = time.perf_counter() - start
    asked = questions(corpus, args.n, args.seed)
    docs = len({f.doc_id for f in load_facts(corpus)})
    print(f"corpus: {docs} reports; opened (facts, pages, directory) in {opened:.2f} s")
    overhead = []
    for q in asked:
        t = time.perf_counter()
        draft_only.answer(q)
        overhead.append(time.perf_counter() - t)
    verified = sum(1 for q in asked if draft_only.answer(q).verified)
    p95 = sorted(overhead)[int(0.95 * (len(overhead) - 1))]
    print(
        f"pipeline without a model: {len(asked)} lookups, mean {statistics.mean(overhead):.3f} "
        f"s, p95 {p95:.3f} s, max {max(overhead):.3f} s; {verified} answers verified"
    )
    if args.model:
        _with_model(corpus, args.model, asked[: args.n])


def _with_model(corpus: Path, model: str, asked: list[str]) -> None:
    from domainsft.models.backends import LocalBackend

    backend = LocalBackend(model, None, batch_size=1)
    timed = _Timed(backend)
    assistant = Assistant(corpus, timed, AssistantConfig(max_new_tokens=96))
    rows = []
    for q in asked:
        timed.seconds = 0.0
        t = time.perf_counter()
        assistant.answer(q)
        total = time.perf_counter() - t
        rows.append((total, timed.seconds))
    gen = statistics.mean(g for _, g in rows)
    extra = statistics.mean(t - g for t, g in rows)
    print(
        f"with {model}: generation {gen:.2f} s per answer (baseline), pipeline around it "
        f"{extra:.3f} s, ratio total/generation {(gen + extra) / gen:.3f}"
    )


class _Timed:
    """The backend, with the time its generate calls take."""

    def __init__(self, inner):
        self.inner, self.seconds, self.name = inner, 0.0, inner.name

    def generate(self, prompts, gen, progress=True):
        t = time.perf_counter()
        out = self.inner.generate(prompts, gen, progress=progress)
        self.seconds += time.perf_counter() - t
        return out


if __name__ == "__main__":
    main()
