"""Enterprise RAG Challenge round 2, the 18 questions whose reports ship in
../shared/data/reports/en/erc, under the challenge's rules: the model alone (the eval suite's
prompt: the top-3 retrieved pages of each report, then the question) against the answer pipeline
(facts, retrieval, verifier, citations), side by side in one run with the same model.

Value accuracy: numbers within 1 % relative, booleans, names and N/A by the eval matcher's
``erc`` mode. Page score: 1 minus 0.1 per cited page outside the gold pools and 0.25 per gold
pool not cited (the pipeline cites its citations' pages; the model alone the pages its text
names, read as pages of the reports the question asks about).

    python benchmarks/erc_assistant.py --corpus runs/erc          # ingest + facts first:
    domainsft ingest ../shared/data/reports/en/erc --out runs/erc
    domainsft facts runs/erc --out runs/erc/facts.jsonl
    # base vs tuned after `domainsft run recipes/real_reports.yaml` (ERC reports in its test split):
    python benchmarks/erc_assistant.py --corpus runs/real_reports/corpus \
        --config runs/real_reports/config.yaml [--adapter runs/real_reports/train/adapter]

Target (the "ask" issue): value accuracy >= 81 %. Measured 2026-12-07, base SmolLM2-135M: model
alone 1/18, pipeline 15/18 (the booleans and names from the reports' sentences, prose.py).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--corpus", type=Path, required=True, help="ingested ERC reports + facts")
    ap.add_argument("--model", default="default")
    ap.add_argument("--adapter", type=Path)
    ap.add_argument("--max-new-tokens", type=int, default=96)
    ap.add_argument("--out", type=Path, help="write every answer here (JSONL)")
    ap.add_argument(
        "--config", type=Path,
        help="a recipe whose assistant: section shapes the pipeline's prompts (pages, "
        "characters), as its run trained them (e.g. runs/real_reports/config.yaml)",
    )  # fmt: skip
    args = ap.parse_args()

    from domainsft.assistant.pipeline import Assistant
    from domainsft.config import AssistantConfig, load_recipe
    from domainsft.corpus import read_pages
    from domainsft.eval.gold import parse_gold
    from domainsft.eval.matcher import match_answer
    from domainsft.eval.pages import page_score, parse_pools
    from domainsft.eval.suites.erc import load_erc
    from domainsft.models.backends import Answer, Generation, LocalBackend

    items = load_erc(pages=args.corpus / "pages.jsonl")
    adapter = str(args.adapter) if args.adapter else None
    backend = LocalBackend(args.model, adapter, batch_size=6, dtype="auto", engine="continuous")
    gen = Generation(max_new_tokens=args.max_new_tokens)
    cache = args.corpus / f"erc_alone_{Path(args.model).name}_{args.max_new_tokens}.json"
    if cache.exists() and not adapter:  # the model-alone answers of an earlier run, reused
        texts = json.loads(cache.read_text(encoding="utf-8"))
        alone = [Answer(t, 0.0, 0, 0, "stop") for t in texts]
    else:
        alone = list(backend.generate([it.prompt for it in items], gen, progress=True))
        if not adapter:
            cache.write_text(json.dumps([a.text for a in alone], ensure_ascii=False), "utf-8")
    doc_of = {}  # a citation names its report by file; the gold pools by document id
    for page in read_pages(args.corpus):
        doc_of.setdefault(page.source, page.doc_id)
        doc_of.setdefault(Path(page.source).name, page.doc_id)
    shaped = load_recipe(args.config).assistant if args.config else AssistantConfig()
    cfg = shaped.model_copy(update={"max_new_tokens": args.max_new_tokens})
    assistant = Assistant(args.corpus, backend, cfg)
    questions = [it.prompt[-1]["content"].rsplit("Question:", 1)[-1].strip() for it in items]
    replies = assistant.answer_many(questions)

    rows = []
    sums = {"alone": [0, 0.0], "assistant": [0, 0.0]}
    out = args.out.open("w", encoding="utf-8") if args.out else None
    for it, question, said, reply in zip(items, questions, alone, replies, strict=True):
        gold = parse_gold(it.gold, it.id)
        pools = parse_pools(it.gold.get("pages", []), it.id)
        docs = it.meta["doc_ids"]
        alone_pages = [(d, n) for n in _pages_named(said.text) for d in docs]
        mine = [(doc_of.get(c.source, doc_of.get(Path(c.source).name, c.source)), c.page)
                for c in reply.citations]  # fmt: skip
        for side, text, cited in (("alone", said.text, alone_pages),
                                  ("assistant", reply.answer, mine)):  # fmt: skip
            verdict = match_answer(text, gold, "erc").verdict
            score = page_score(cited, pools)["score"]
            sums[side][0] += verdict == "correct"
            sums[side][1] += score
            rows.append((side, it.meta["kind"], verdict, score))
        if out:
            rec = {"id": it.id, "kind": it.meta["kind"], "question": question,
                   "gold": it.gold.get("answer"), "alone": said.text, "assistant": reply.answer,
                   "citations": mine}  # fmt: skip
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
    if out:
        out.close()
    n = len(items)
    print(f"\n{'':10s} value accuracy   page score   (n = {n})")
    for side, (right, pages) in sums.items():
        print(f"{side:10s} {right:3d}/{n} = {right / n:6.1%}     {pages / n:6.3f}")
    for kind in sorted({k for _, k, _, _ in rows}):
        cells = []
        for side in sums:
            mine = [v for s, k, v, _ in rows if s == side and k == kind]
            cells.append(f"{side} {sum(v == 'correct' for v in mine)}/{len(mine)}")
        print(f"  {kind:8s} " + "   ".join(cells))


def _pages_named(text: str) -> list[int]:
    from domainsft.grounding import cited_page_numbers

    return list(dict.fromkeys(cited_page_numbers(text)))


if __name__ == "__main__":
    main()
