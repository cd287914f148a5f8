"""Writing the dataset: Example JSONL per split, Alpaca and ShareGPT exports, stats and card."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from domainsft.records import Example
from domainsft.utils.jsonl import write_json, write_jsonl

BINS = (64, 128, 256, 512, 1024, 2048, 4096)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def rough_length(text: str) -> int:
    """Tokens without a tokenizer: one per CJK character plus one per other word."""
    return len(_CJK.findall(text)) + len(_CJK.sub(" ", text).split())


def rough_messages_length(messages: list[dict[str, str]]) -> int:
    return rough_length("\n".join(m["content"] for m in messages))


def alpaca(ex: Example) -> dict[str, Any]:
    by_role = {m["role"]: m["content"] for m in ex.messages}
    return {
        "instruction": by_role["user"],
        "input": "",
        "output": by_role["assistant"],
        "system": by_role.get("system", ""),
    }


def sharegpt(ex: Example) -> dict[str, Any]:
    names = {"system": "system", "user": "human", "assistant": "gpt"}
    turns = [{"from": names[m["role"]], "value": m["content"]} for m in ex.messages]
    return {"id": ex.id, "conversations": turns}


def stats(
    splits: dict[str, list[Example]], length: Callable[[list[dict[str, str]]], int], **extra: Any
) -> dict:
    """Counts, shares and a histogram of ``length(messages)`` over every example."""
    every = [ex for part in splits.values() for ex in part]
    hist: Counter[str] = Counter(length_bin(length(ex.messages)) for ex in every)
    total = max(len(every), 1)
    return {
        "examples": len(every),
        "by_split": {k: len(v) for k, v in splits.items()},
        "by_family": _count(every, "family"),
        "by_lang": _count(every, "lang"),
        "by_split_family": {k: _count(v, "family") for k, v in splits.items()},
        "negative_share": round(sum(ex.meta["is_negative"] for ex in every) / total, 4),
        "replay_share": round(sum(ex.meta["is_replay"] for ex in every) / total, 4),
        "context_share": round(sum(ex.meta["with_context"] for ex in every) / total, 4),
        "length_histogram": {f"<={b}": hist[f"<={b}"] for b in BINS}
        | {f">{BINS[-1]}": hist[f">{BINS[-1]}"]},
        "documents_by_split": {
            k: len({d for ex in v for d in ex.meta["doc_ids"]}) for k, v in splits.items()
        },
        **extra,
    }


def length_bin(n: int) -> str:
    return next((f"<={b}" for b in BINS if n <= b), f">{BINS[-1]}")


def _count(examples: list[Example], key: str) -> dict[str, int]:
    return dict(sorted(Counter(ex.meta[key] for ex in examples).items()))


def card(s: dict[str, Any], config_text: str) -> str:
    rows = "\n".join(f"| {k} | {v} |" for k, v in s["by_family"].items())
    hist = "\n".join(f"| {k} | {v} |" for k, v in s["length_histogram"].items())
    notes = _replay_line(s.get("replay")) + _feedback_line(s.get("feedback"))
    return f"""# Dataset card

Built by `domainsft build-dataset` from annual-report facts and pages.

- examples: {s["examples"]} (train {s["by_split"]["train"]}, val {s["by_split"].get("val", 0)}, \
test {s["by_split"].get("test", 0)})
- languages: {s["by_lang"]}
- negative share: {s["negative_share"]}; replay share: {s["replay_share"]}; \
with retrieved context: {s["context_share"]}
{notes}- exact and near duplicates removed: {s.get("duplicates_removed", 0)}
- split: by company (all reports of one company in one split), so no document and no
  comparative-year figure appears in two splits
- every numeric answer cites the report and page; `domainsft check-provenance` re-checks it

| family | examples |
|---|---|
{rows}

## Lengths

{s["length_measure"]}, whole conversation:

| length | examples |
|---|---|
{hist}

## Resolved config

```yaml
{config_text}```
"""


def _replay_line(r: dict[str, Any] | None) -> str:
    if not r or not r["requested"]:
        return "- replay: off\n"
    short = r["requested"] - r["examples"]
    note = (
        f"; {short} fewer than the share asks for (prompts ran out): point "
        "`dataset.replay_source` at a larger JSONL"
        if short > 0
        else ""
    )
    return (
        f"- replay (general instructions against forgetting): {r['examples']} examples "
        f"(train {r['by_split']['train']}, val {r['by_split']['val']}), configured share "
        f"{r['requested_share']}, from {r['source']}{note}\n"
    )


def _feedback_line(f: dict[str, Any] | None) -> str:
    if not f:
        return ""
    return (
        f"- feedback of a served model ({', '.join(f['files'])}): {f['kept']} verified "
        f"examples, {f['train']} in train, {f['held_out']} about val/test companies held out "
        f"in feedback_heldout.jsonl; {f['rejected']} rejected (feedback_rejects.jsonl), "
        f"{f['skipped_negative']} negative ratings skipped, {f['duplicates']} duplicates\n"
    )


def write(out: Path, splits: dict[str, list[Example]], s: dict, config_text: str) -> None:
    """Everything at once at the end, each file atomically."""
    for name, part in splits.items():
        write_jsonl(out / f"{name}.jsonl", (ex.to_dict() for ex in part))
        write_jsonl(out / "alpaca" / f"{name}.jsonl", (alpaca(ex) for ex in part))
        write_jsonl(out / "sharegpt" / f"{name}.jsonl", (sharegpt(ex) for ex in part))
    write_json(out / "stats.json", s)
    _atomic_text(out / "card.md", card(s, config_text))


def _atomic_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
