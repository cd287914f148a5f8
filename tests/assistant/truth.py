"""What a dataset example's question asks, read off its ``meta`` (never off the question), and
the check of a parsed ``Query`` against it.

The truth per family: the company (``meta.company`` / ``meta.companies``), the fiscal year(s)
and metric(s) of the facts in ``meta.fact_ids`` (``facts.jsonl``), ``meta.formula`` for derived
metrics, ``meta.years`` / ``meta.metrics`` for trends, ``meta.section`` for summaries. An info
question may name no year (its templates differ): then no year is the right parse. Negatives
must show why they are unanswerable (``answerable.gaps``): the reason of ``negative_kind``.

Run over a built dataset:
    PYTHONPATH=src python -m tests.assistant.truth --corpus C --dataset D
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

from domainsft.assistant.answerable import gaps
from domainsft.assistant.directory import Directory
from domainsft.assistant.understand import Query, understand
from domainsft.domains.finance.compliance import has_disclaimer
from domainsft.numbers import numbers_equal, parse_quantity
from domainsft.records import Example, Fact

NEGATIVE_REASON = {
    "unknown_company": "unknown_company",
    "wrong_year": "year_not_covered",
    "undisclosed": "metric_not_disclosed",
}


def question_of(ex: Example) -> str:
    return next(m["content"] for m in ex.messages if m["role"] == "user")


def misses(query: Query, ex: Example, facts: dict[str, Fact]) -> list[str]:
    """What the parse got wrong (empty: all of company, years, metric/formula, operation)."""
    meta = ex.meta
    want = _expected(ex, facts)
    got = {
        "companies": [c.name for c in query.companies],
        "years": query.years,
        "metrics": query.metrics,
        "formula": query.formula if "formula" in want else None,
        "operation": query.operation,
    }
    if "template" in want:
        got["template"] = query.template
    if "section" in want:
        got["section"] = query.section
    out = [f"{k}: {got.get(k)!r} != {v!r}" for k, v in want.items() if got.get(k) != v]
    out += _common_misses(query, ex)
    if meta["family"] == "claim":
        out += _claim_misses(query, ex, facts)
    if meta["family"] == "negative":
        reasons = {g.reason for g in gaps(query)}
        if NEGATIVE_REASON[meta["negative_kind"]] not in reasons:
            out.append(f"reason {NEGATIVE_REASON[meta['negative_kind']]} not in {reasons}")
    return out


def _common_misses(query: Query, ex: Example) -> list[str]:
    """Language, the disclaimer (judge phrasings), and no reason to abstain on a positive."""
    out = []
    if query.lang != ex.meta["lang"]:
        out.append(f"lang {query.lang} != {ex.meta['lang']}")
    answer = next(m["content"] for m in ex.messages if m["role"] == "assistant")
    if query.judgement != has_disclaimer(answer):
        out.append(f"judgement {query.judgement} != {has_disclaimer(answer)}")
    if not ex.meta["is_negative"]:
        found = gaps(query)
        if found or query.unknown_company:
            out.append(f"positive flagged: {query.unknown_company!r} {found}")
    return out


def _expected(ex: Example, facts: dict[str, Fact]) -> dict:
    meta, family = ex.meta, ex.meta["family"]
    fs = [facts[i] for i in meta["fact_ids"] if i in facts]
    current = [f for f in fs if f.fact_id not in set(meta.get("prior_fact_ids", []))]
    year = [current[0].fiscal_year] if current else []
    want: dict = {"companies": [meta["company"]], "years": year}
    if family in ("lookup", "claim", "yoy", "info"):
        want |= {"metrics": [current[0].metric], "operation": family}
        if family == "info" and str(year[0]) not in question_of(ex):
            want["years"] = []
    elif family == "multi":
        want |= {"metrics": [f.metric for f in fs], "operation": "lookup"}
    elif family == "derived":
        want |= {"metrics": [], "formula": meta["formula"], "operation": "formula"}
    elif family == "trend":
        want |= {"years": meta["years"], "metrics": meta["metrics"], "operation": "trend"}
    elif family == "compare":
        cells = [c for c in meta["cells"] if c.get("formula") == "growth"]
        years = sorted({c["fiscal_year"] for c in cells}) if cells else year
        template = "growth" if meta["compare_kind"] == "growth" else None
        want |= {"companies": meta["companies"], "years": years, "metrics": [meta["metric"]],
                 "operation": "compare", "template": template}  # fmt: skip
    elif family == "summary":
        want |= {"metrics": [], "operation": "summary", "section": meta["section"]}
    elif family == "negative":
        want = _negative_expected(ex)
    return want


def _negative_expected(ex: Example) -> dict:
    kind = ex.meta["negative_kind"]
    if kind == "unknown_company":
        return {"companies": []}
    return {"companies": [ex.meta["company"]]}


def _claim_misses(query: Query, ex: Example, facts: dict[str, Fact]) -> list[str]:
    claimed = parse_quantity(query.claim) if query.claim else None
    if claimed is None:
        return [f"claim figure not read: {query.claim!r}"]
    if ex.meta.get("claim_true"):
        gold = Decimal(ex.meta["gold"]["value"])
        if not numbers_equal(claimed, gold):
            return [f"claim {query.claim!r} != gold {gold}"]
    return []


def measure(corpus: Path, dataset: Path) -> dict:
    """``measure_examples`` over ``dataset``'s train/val/test files."""
    examples = []
    for split in ("train", "val", "test"):
        for line in (dataset / f"{split}.jsonl").read_text(encoding="utf-8").splitlines():
            examples.append(Example.from_dict(json.loads(line)))
    return measure_examples(examples, corpus)


def measure_examples(examples: list[Example], corpus: Path) -> dict:
    """Per family (negatives per kind): examples, right parses, their share; the misses; the
    mean and worst parse time. Replay examples (general chat) are left out."""
    from domainsft.corpus import load_facts

    facts_list = load_facts(corpus)
    facts = {f.fact_id: f for f in facts_list}
    directory = Directory.from_facts(facts_list)
    counts: Counter = Counter()
    right: Counter = Counter()
    found: dict[str, list] = defaultdict(list)
    times = []
    understand("", directory)  # compiles the matchers once: not a question's time
    for ex in examples:
        if ex.meta.get("is_replay"):
            continue
        kind = ex.meta.get("negative_kind")
        key = ex.meta["family"] + (f"/{kind}" if ex.meta["is_negative"] else "")
        start = time.perf_counter()
        query = understand(question_of(ex), directory)
        times.append(time.perf_counter() - start)
        wrong = misses(query, ex, facts)
        counts[key] += 1
        right[key] += not wrong
        if wrong:
            found[key].append((question_of(ex).rsplit("\n\n", 1)[-1], wrong))
    families = {k: {"n": counts[k], "right": right[k], "share": right[k] / counts[k]}
                for k in sorted(counts)}  # fmt: skip
    return {"families": families, "misses": dict(found), "max_ms": max(times) * 1000,
            "mean_ms": sum(times) / len(times) * 1000, "n": len(times)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--dataset", type=Path, required=True)
    parser.add_argument("--show", type=int, default=5, help="misses shown per family")
    args = parser.parse_args()
    result = measure(args.corpus, args.dataset)
    for family, row in result["families"].items():
        print(f"{family:28s} {row['right']:5d}/{row['n']:<5d} {row['share']:.2%}")
    print(
        f"{result['n']} questions, mean {result['mean_ms']:.2f} ms, max {result['max_ms']:.2f} ms"
    )
    for family, items in result["misses"].items():
        for question, wrong in items[: args.show]:
            print(f"[{family}] {question}\n    {'; '.join(wrong)}")


if __name__ == "__main__":
    main()
