"""The analyst on held-out sample reports: the default model, before any fine-tuning, grounded
and then grounded + verified, per task family (the "ask" issue's first acceptance point).

The dataset builder splits by company, so the test split asks about companies no training
example saw. Each question (the test example's last user turn) goes through the answer pipeline
twice over the same corpus and the same model:

- ``grounded``: the pipeline's prompt (the facts' pages, the retrieved pages), the model's answer
  as it is (no verifier, no fallback, no abstention before the model);
- ``verified``: the whole pipeline (abstention, verifier, draft fallback, citations, guard).

Both are scored by eval's own metrics (key-number accuracy, exact match) against the example's
gold, and the verified side is audited: a figure marked *verified* whose cited page does not
print it, and an answer marked verified whose key figure is wrong, are counted as "wrong passed
as verified" (target 0). Negatives: abstention correct when the answer abstains (target >= 95 %).
Where a question is not abstained, the grounded answer is the verified run's own model answer
(the prompts are the same), so the model generates once per question plus once per abstained one.

    python benchmarks/assistant_heldout.py --corpus runs/demo/corpus \\
        --data runs/demo/dataset/test.jsonl --per-family 12
    python benchmarks/assistant_heldout.py --work /tmp/heldout   # builds corpus and dataset

Targets: verified key-number accuracy >= 97 %, 0 wrong passed as verified, negatives >= 95 %.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def build(work: Path) -> tuple[Path, Path]:
    """The demo's corpus and dataset under ``work`` (kept, reused on the next run)."""
    corpus, data = work / "corpus", work / "dataset"
    cli = [sys.executable, "-m", "domainsft"]

    def run(*args: str) -> None:
        subprocess.run([*cli, *args], check=True)

    if not (corpus / "facts.jsonl").exists():
        run("sample-reports", "--out", str(work / "reports"))
        run("ingest", str(work / "reports"), "--out", str(corpus))
        run("facts", str(corpus), "--out", str(corpus / "facts.jsonl"))
    if not (data / "test.jsonl").exists():
        run("build-dataset", "--corpus", str(corpus), "--out", str(data),
            "--config", str(ROOT / "recipes" / "demo.yaml"))  # fmt: skip
    return corpus, data / "test.jsonl"


def pick(items, per_family: int, seed: int):
    by_family = defaultdict(list)
    for it in items:
        by_family[it.family].append(it)
    rng = random.Random(seed)
    out = []
    for family in sorted(by_family):
        group = by_family[family]
        out += rng.sample(group, min(per_family, len(group)))
    return out


def last_user(item) -> str:
    return next(m["content"] for m in reversed(item.prompt) if m["role"] == "user")


def wrong_verified(reply, pages) -> int:
    """Figures marked verified whose cited page does not print them."""
    from domainsft.grounding import holds
    from domainsft.numbers import parse_quantity

    bad = 0
    for n in reply.verification.numbers if reply.verification else []:
        if n.status != "verified" or n.source is None:
            continue
        text = pages.get((n.source.doc_id, n.source.page), "")
        q = parse_quantity(n.printed.strip())
        if q is None or not holds(text, q):
            bad += 1
            print(f"  passed as verified, not on its page: {n.printed.strip()!r} "
                  f"({n.source.doc_id}, p. {n.source.page})", flush=True)  # fmt: skip
    return bad


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--corpus", type=Path, help="ingested corpus with facts.jsonl")
    ap.add_argument("--data", type=Path, help="the dataset's test.jsonl")
    ap.add_argument("--work", type=Path, default=Path("/tmp/domainsft-heldout"))
    ap.add_argument("--model", default="default")
    ap.add_argument("--adapter", type=Path)
    ap.add_argument("--per-family", type=int, default=12)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument(
        "--max-new-tokens", type=int,
        help="answer budget (default: the --config recipe's eval.max_new_tokens, else 256, "
        "eval's own budget for the test split's questions)",
    )  # fmt: skip
    ap.add_argument("--out", type=Path, help="write every answer here (JSONL)")
    ap.add_argument("--json", type=Path, help="write the figures printed at the end here")
    ap.add_argument(
        "--config", type=Path,
        help="a recipe whose assistant: section shapes the prompts (pages, characters), as "
        "its run trained and served them",
    )  # fmt: skip
    args = ap.parse_args()

    from domainsft.assistant.pipeline import Assistant
    from domainsft.config import AssistantConfig, load_recipe
    from domainsft.corpus import load_facts, page_text, read_pages
    from domainsft.eval.items import PageTexts, items_from_examples
    from domainsft.eval.metrics import MetricEnv, score_item
    from domainsft.models.backends import LocalBackend

    if args.corpus and args.data:
        corpus, data = args.corpus, args.data
    else:
        corpus, data = build(args.work)
    items = pick(items_from_examples(data), args.per_family, args.seed)
    pages = {(p.doc_id, p.page): page_text(p) for p in read_pages(corpus)}
    env = MetricEnv(pages=PageTexts.load(corpus))
    facts = load_facts(corpus)
    adapter = str(args.adapter) if args.adapter else None
    backend = LocalBackend(args.model, adapter, batch_size=args.batch_size, dtype="auto")
    recipe = load_recipe(args.config) if args.config else None
    shaped = recipe.assistant if recipe else AssistantConfig()
    budget = args.max_new_tokens or (recipe.eval.max_new_tokens if recipe else None) or 256
    cfg = shaped.model_copy(update={"max_new_tokens": budget, "batch_size": args.batch_size})
    verified_side = Assistant(corpus, backend, cfg, facts=facts)
    plain = cfg.model_copy(update={"verifier": False, "guard": False})
    grounded_side = Assistant(corpus, backend, plain, facts=facts)
    questions = [last_user(it) for it in items]
    print(f"{len(items)} held-out questions from {data} ({args.per_family} per family), "
          f"answers of at most {budget} tokens")  # fmt: skip
    start = time.perf_counter()
    replies = []
    for i in range(0, len(questions), args.batch_size):
        replies += verified_side.answer_many(questions[i : i + args.batch_size])
        print(f"  verified {len(replies)}/{len(questions)} in {time.perf_counter() - start:.0f} s",
              flush=True)  # fmt: skip
    grounded = {i: r.model_answer for i, r in enumerate(replies) if r.prompt and not r.abstained}
    todo = [i for i in range(len(items)) if i not in grounded]
    for j in range(0, len(todo), args.batch_size):
        chunk = todo[j : j + args.batch_size]
        for i, r in zip(chunk, grounded_side.answer_many([questions[i] for i in chunk]),
                        strict=True):  # fmt: skip
            grounded[i] = r.answer
    seconds = time.perf_counter() - start

    rows = defaultdict(lambda: defaultdict(list))
    bad_figures = bad_answers = 0
    out = args.out.open("w", encoding="utf-8") if args.out else None
    for i, (item, reply) in enumerate(zip(items, replies, strict=True)):
        g = score_item(item, grounded[i], env, ["key_number_accuracy", "exact_match"])
        v = score_item(item, reply.answer, env, ["key_number_accuracy", "exact_match"])
        for side, s in (("grounded", g), ("verified", v)):
            for name, value in s.items():
                if value is not None:
                    rows[item.family][f"{side}:{name}"].append(value)
        wrong = wrong_verified(reply, pages)
        bad_figures += wrong
        kna = v["key_number_accuracy"]
        bad_answers += bool(reply.verified and kna is not None and kna < 1)
        if item.family == "negative":
            rows[item.family]["abstained"].append(float(reply.abstained))
        if out:
            out.write(json.dumps({"id": item.id, "family": item.family, "question": questions[i],
                                  "grounded": grounded[i], "verified": reply.answer,
                                  "reference": item.reference, "scores": {"grounded": g,
                                  "verified": v}, "reply": reply.to_json()},
                                 ensure_ascii=False) + "\n")  # fmt: skip
    if out:
        out.close()

    def mean(xs):
        return f"{sum(xs) / len(xs):7.1%}" if xs else "      -"

    print(f"\n{'family':9s} {'n':>3s}  key-number acc. grounded / +verifier   exact match g / v"
          "   abstained")  # fmt: skip
    total = defaultdict(list)
    for family in sorted(rows):
        r = rows[family]
        n = sum(it.family == family for it in items)
        for k, xs in r.items():
            total[k] += xs
        print(f"{family:9s} {n:3d}  {mean(r['grounded:key_number_accuracy'])} / "
              f"{mean(r['verified:key_number_accuracy'])}            "
              f"{mean(r['grounded:exact_match'])} / {mean(r['verified:exact_match'])}"
              f"   {mean(r['abstained'])}")  # fmt: skip
    print(
        f"{'all':9s} {len(items):3d}  {mean(total['grounded:key_number_accuracy'])} / "
        f"{mean(total['verified:key_number_accuracy'])}            "
        f"{mean(total['grounded:exact_match'])} / {mean(total['verified:exact_match'])}"
    )
    drafted = sum(r.drafted for r in replies)
    corrected = sum(r.verification.count("corrected") for r in replies if r.verification)
    print(
        f"\nwrong passed as verified: {bad_figures} figure(s) whose page does not print them, "
        f"{bad_answers} verified answer(s) with a wrong key figure"
    )
    print(f"verifier: {corrected} figure(s) corrected; {drafted} answer(s) fell back to the draft")
    print(f"{seconds:.0f} s for {len(items)} questions ({seconds / len(items):.1f} s each)")
    if args.json:
        figures = {f: {k: sum(xs) / len(xs) for k, xs in r.items() if xs} for f, r in rows.items()}
        figures["all"] = {k: sum(xs) / len(xs) for k, xs in total.items() if xs}
        summary = {
            "questions": len(items), "adapter": adapter, "families": figures,
            "wrong_passed": bad_figures, "wrong_verified_answers": bad_answers,
            "corrected": corrected, "drafted": drafted, "seconds": round(seconds, 1),
        }  # fmt: skip
        args.json.write_text(json.dumps(summary, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
