"""The analyst on the real reports: key-number accuracy on the hand-checked question set.

Ingests the reports the set asks about (the 3 Chinese reports and 8 FinanceBench 10-Ks of
``../shared/data``, read in place; cached under --work), runs ``domainsft facts``, then asks
every question of ``tests/data/real_reports_qa.jsonl`` through the answer pipeline and counts an
answer right when it states the gold figure at the gold's scale and decimals
(``grounding.present``). Prints accuracy overall, by kind and by language, the share of answers
the draft gave, and each miss with its reason.

    python benchmarks/real_reports_assistant.py --draft-only        # the facts side alone
    python benchmarks/real_reports_assistant.py --model default     # base SmolLM2 + pipeline
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.assistant.real_qa import load_real_qa  # noqa: E402
from tests.conftest import SHARED  # noqa: E402

from domainsft.assistant.pipeline import Assistant  # noqa: E402
from domainsft.config import AssistantConfig  # noqa: E402
from domainsft.grounding import Target, present  # noqa: E402
from domainsft.numbers import Quantity, scale_factor  # noqa: E402


def corpus_for(work: Path, reports: list[Path]) -> Path:
    corpus = work / "corpus"
    if not (corpus / "facts.jsonl").exists():
        cli = [sys.executable, "-m", "domainsft"]
        subprocess.run([*cli, "ingest", *map(str, reports), "--out", str(corpus), "--ocr",
                        "never"], check=True)  # fmt: skip
        subprocess.run([*cli, "facts", str(corpus), "--out", str(corpus / "facts.jsonl")],
                       check=True)  # fmt: skip
    return corpus


def target(a) -> Target:
    percent = a.unit == "%"
    step = Decimal(1).scaleb(-a.places) * (1 if percent else scale_factor(a.scale or "1"))
    return Target(Quantity(a.value, a.unit, a.scale, quantum=step), step)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--work", type=Path, default=Path("runs/real_qa"))
    ap.add_argument("--model", default="default")
    ap.add_argument("--draft-only", action="store_true", help="no model: the facts side alone")
    ap.add_argument("--show", type=int, default=40, help="misses to print")
    args = ap.parse_args()
    qs = load_real_qa()
    reports = sorted({SHARED / q.report for q in qs})
    corpus = corpus_for(args.work, reports)
    backend = None
    if not args.draft_only:
        from domainsft.models.backends import LocalBackend

        backend = LocalBackend(args.model, None, batch_size=8, engine="continuous")
    assistant = Assistant(corpus, backend, AssistantConfig(max_new_tokens=160))
    replies = assistant.answer_many([q.question for q in qs])
    right, total, drafted, shown = Counter(), Counter(), 0, 0
    for q, r in zip(qs, replies, strict=True):
        ok = present(target(q.answer), r.answer)
        for key in ("all", q.kind, q.lang):
            total[key] += 1
            right[key] += ok
        drafted += r.drafted
        if not ok and shown < args.show:
            shown += 1
            print(f"MISS {q.id} ({q.kind}): {q.question}\n  gold {q.gold_in_scale} {q.answer.scale}"
                  f"; answer: {r.answer[:240]!r}")  # fmt: skip
    for key in ["all", "lookup", "yoy", "ratio", "sum", "difference", "zh", "en"]:
        if total[key]:
            print(f"{key:10s} {right[key]:3d}/{total[key]:3d} = {right[key] / total[key]:.1%}")
    print(f"answers from the draft: {drafted}/{len(qs)}; model: {assistant.model_name}")


if __name__ == "__main__":
    main()
