"""Failing items per task and run, collapsed: enough to see what kind of wrong it is. Long
questions, outputs and gold answers are clipped to their head and tail."""

from __future__ import annotations

import json
from typing import Any

from domainsft.eval.report.context import Ctx, task_samples
from domainsft.eval.report.markup import esc, figure, para, swatch

MAX_EXAMPLES = 4  # failures shown per task and run
CLIP = 700  # characters kept of a question, an output or a gold answer


def examples(ctx: Ctx, task: str) -> str:
    """A few failing items per run, collapsed: enough to see what kind of wrong it is."""
    if not ctx.samples:
        return figure("Example failures", para("No samples given.", "empty"))
    blocks = []
    for i, recs in enumerate(task_samples(ctx, task)):
        fails = [s for s in recs if not str(s.get("verdict") or "correct").startswith("correct")]
        blocks += [example(i, ctx.names[i], s) for s in fails[:MAX_EXAMPLES]]
        if len(fails) > MAX_EXAMPLES:
            blocks.append(
                para(f"{ctx.names[i]}: {len(fails) - MAX_EXAMPLES} more in samples.jsonl", "note")
            )
    return figure(
        "Example failures", "".join(blocks) or para("No failures in the samples.", "empty")
    )


def example(index: int, run: str, rec: dict[str, Any]) -> str:
    head = " · ".join(esc(rec.get(k)) for k in ("id", "family", "lang") if rec.get(k) is not None)
    fields = [
        ("Question", question(rec.get("prompt"))),
        ("Output", rec.get("output")),
        ("Gold", as_text(rec.get("gold"))),
        ("Reference", rec.get("reference")),
        ("Reason", rec.get("reason")),
    ]
    dl = "".join(
        f"<dt>{k}</dt><dd><pre>{esc(clip(str(v)))}</pre></dd>"
        for k, v in fields
        if v not in (None, "")
    )
    reason = clip(str(rec.get("reason") or ""), 90)
    return (
        f'<details class="example"><summary>{swatch(index)}{esc(run)} · {head} · '
        f"<b>{esc(rec.get('verdict'))}</b> {esc(reason)}</summary><dl>{dl}</dl></details>"
    )


def question(prompt: Any) -> str:
    """The last user message: the question comes after any retrieved context."""
    if isinstance(prompt, str):
        return prompt
    users = [m for m in prompt or [] if isinstance(m, dict) and m.get("role") == "user"]
    content = users[-1].get("content", "") if users else ""
    if isinstance(content, list):  # OpenAI content parts
        content = " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return str(content)


def as_text(value: Any) -> str | None:
    """A gold record as "answer: 11.75亿元; unit: 亿元" rather than raw JSON."""
    if isinstance(value, dict):
        return "; ".join(f"{k}: {as_text(v)}" for k, v in value.items())
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def clip(text: str, limit: int = CLIP) -> str:
    """Head and tail of a long text: outputs matter at the start, prompts at the end."""
    if len(text) <= limit:
        return text
    head = limit // 3
    return f"{text[:head]} … [{len(text) - limit} characters cut] … {text[-(limit - head) :]}"
