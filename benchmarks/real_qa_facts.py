"""How much of the hand-checked real-report question set ``domainsft facts`` already knows.

For every operand of tests/data/real_reports_qa.jsonl the script looks in CORPUS/facts.jsonl for
a fact of the same document (sha256 of the report), metric, fiscal year and page with the same
Decimal value. A question is covered (``in_facts``) when all its operands are. Misses are named:
metric not in the taxonomy, label rejected (facts_rejects.jsonl), wrong year/column, wrong scale,
wrong value, only on another page, or missing. It also prints the company identity facts.jsonl
extracted per report, which the assistant matches names against.

    domainsft ingest <the reports> --out C && domainsft facts C --out C/facts.jsonl
    python benchmarks/real_qa_facts.py --corpus C [--write]   # --write updates in_facts
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.assistant.real_qa import QA_FILE, Operand, load_real_qa  # noqa: E402
from tests.conftest import SHARED  # noqa: E402

from domainsft.corpus import document_id  # noqa: E402
from domainsft.domains.finance import metrics  # noqa: E402
from domainsft.records import Fact, read_facts  # noqa: E402


def miss_reason(op: Operand, facts: list[Fact], rejected: set[tuple[int, str]]) -> str:
    """'' when a fact holds the operand on its page; else why not, most specific first."""
    if op.metric not in metrics():
        return "metric not in taxonomy"
    same = [f for f in facts if f.metric == op.metric]
    here = [f for f in same if f.page == op.page]
    if any(f.fiscal_year == op.fiscal_year and Decimal(f.value) == op.value for f in here):
        return ""
    if any(Decimal(f.value) == op.value for f in here):
        return "wrong year/column"
    for f in (f for f in here if f.fiscal_year == op.fiscal_year):
        ratio = Decimal(f.value) / op.value if op.value else Decimal(0)
        if ratio > 0 and ratio.log10() == ratio.log10().to_integral_value():
            return "wrong scale"
        return "wrong value"
    if any(f.fiscal_year == op.fiscal_year and Decimal(f.value) == op.value for f in same):
        return "only on another page"
    other = {f.metric for f in facts if f.page == op.page and Decimal(f.value) == op.value}
    if other:
        return "taken as another metric"
    if (op.page, _fold(op.label)) in rejected:
        return "label rejected"
    return "missing"


def rejected_labels(corpus: Path) -> dict[str, set[tuple[int, str]]]:
    """(page, label) of the rows facts_rejects.jsonl lists, by source file name."""
    out: dict[str, set[tuple[int, str]]] = defaultdict(set)
    path = corpus / "facts_rejects.jsonl"
    for line in path.read_text(encoding="utf-8").splitlines() if path.exists() else []:
        rec = json.loads(line)
        page, _, rest = rec.get("detail", "").partition(" ")
        label = rest.split("] ", 1)[-1]
        if page.startswith("p") and page[1:].isdigit():
            out[Path(rec["source"]).name].add((int(page[1:]), _fold(label)))
    return out


def _fold(label: str) -> str:
    """Labels compared without spaces, dot leaders and case (``Net income .....``)."""
    return re.sub(r"[\s.…]+", "", label).lower()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, required=True, help="folder with facts.jsonl")
    ap.add_argument("--write", action="store_true", help="update in_facts in the QA file")
    args = ap.parse_args()
    facts_by_doc: dict[str, list[Fact]] = defaultdict(list)
    for fact in read_facts(args.corpus / "facts.jsonl"):
        facts_by_doc[fact.doc_id].append(fact)
    rejected = rejected_labels(args.corpus)
    questions = load_real_qa()
    doc_ids = {r: document_id(SHARED / r) for r in {q.report for q in questions}}
    covered: dict[str, bool] = {}
    per_report: dict[str, Counter] = defaultdict(Counter)
    reasons: Counter = Counter()
    examples: dict[str, list[str]] = defaultdict(list)
    for q in questions:
        facts = facts_by_doc[doc_ids[q.report]]
        why = [miss_reason(op, facts, rejected[Path(q.report).name]) for op in q.operands]
        covered[q.id] = not any(why)
        stats = per_report[Path(q.report).stem]
        stats.update(questions=1, in_facts=covered[q.id], operands=len(why))
        stats.update(operands_found=why.count(""))
        for op, reason in zip(q.operands, why, strict=True):
            if reason:
                reasons[reason] += 1
                examples[reason].append(f"{q.id}:{op.metric}@p{op.page}")
    _print(per_report, reasons, examples, facts_by_doc, doc_ids)
    if args.write:
        _write_in_facts(covered)


def _print(per_report, reasons, examples, facts_by_doc, doc_ids) -> None:
    print("| report | questions | in_facts | operands found |")
    print("|---|---:|---:|---:|")
    total: Counter = Counter()
    for name, s in sorted(per_report.items()):
        total.update(s)
        found = f"{s['operands_found']}/{s['operands']}"
        print(f"| {name} | {s['questions']} | {s['in_facts']} | {found} |")
    t = total
    print(f"| all | {t['questions']} | {t['in_facts']} | {t['operands_found']}/{t['operands']} |")
    print("\nmisses by reason:")
    for reason, n in reasons.most_common():
        print(f"  {n:3d}  {reason}: {', '.join(examples[reason][:6])}")
    print("\ncompany identity in facts.jsonl (company | company_short | stock_code):")
    for report, doc in sorted(doc_ids.items()):
        ids = Counter((f.company, f.company_short, f.stock_code) for f in facts_by_doc[doc])
        print(f"  {Path(report).stem}: {dict(ids) or 'no facts'}")


def _write_in_facts(covered: dict[str, bool]) -> None:
    """Rewrite the file line by line, only ``in_facts`` changes (key order kept)."""
    lines = []
    for line in QA_FILE.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        rec["in_facts"] = covered[rec["id"]]
        lines.append(json.dumps(rec, ensure_ascii=False))
    QA_FILE.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
