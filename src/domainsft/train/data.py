"""Training examples: read conversations, tokenize them with the chat template, check them.

Every example is rendered by the tokenizer's own chat template (``domainsft.models``), so the
token ids trained on are those served. Only assistant tokens are supervised unless
``train_on_prompt``. An example with nothing left to learn from (no assistant tokens, or an
answer cut by truncation) is an error, or is dropped and counted when the config says so.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from domainsft.models.chat import IGNORE_INDEX, ChatTemplateError, assistant_mask
from domainsft.utils.jsonl import InputError

_SHAREGPT_ROLES = {"human": "user", "user": "user", "gpt": "assistant", "assistant": "assistant"}
_SHAREGPT_ROLES |= {"system": "system"}


@dataclass
class Conversation:
    messages: list[dict[str, str]]
    meta: dict[str, Any]
    where: str  # "file:line"


@dataclass
class Tokenized:
    """One example as the trainer sees it: ids and next-token targets of equal length."""

    input_ids: list[int]
    targets: list[int]  # targets[t] = input_ids[t + 1] where supervised, IGNORE_INDEX elsewhere
    where: str  # "file:line", for messages about this example

    @property
    def n_supervised(self) -> int:
        return sum(t != IGNORE_INDEX for t in self.targets)


@dataclass
class DataReport:
    read: int = 0
    kept: int = 0
    tokens: int = 0
    supervised: int = 0
    dropped: Counter = field(default_factory=Counter)  # reason -> count
    dropped_where: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "read": self.read,
            "kept": self.kept,
            "tokens": self.tokens,
            "supervised_tokens": self.supervised,
            "dropped": dict(self.dropped),
            "dropped_examples": self.dropped_where[:50],
        }


def read_conversations(path: Path) -> list[Conversation]:
    """One conversation per line of a JSONL file in messages, alpaca or sharegpt form."""
    path = Path(path)
    if not path.is_file():
        raise InputError(
            f"{path}: training data not found; build it with `domainsft build-dataset` or set "
            '`train.data` to a JSONL file of {"messages": [...]} lines'
        )
    out = []
    with path.open("rb") as fh:
        for n, raw in enumerate(fh, start=1):
            where = f"{path}:{n}"
            if not raw.strip():
                continue
            row = _json(raw, where)
            meta = row.get("meta") if isinstance(row.get("meta"), dict) else {}
            out.append(Conversation(_messages(row, where), meta, where))
    if not out:
        raise InputError(f"{path}: the dataset is empty; nothing to train on")
    return out


def _json(raw: bytes, where: str) -> dict[str, Any]:
    try:
        row = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise InputError(f"{where}: not UTF-8 ({exc.reason}); re-save the file as UTF-8") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{where}: invalid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(row, dict):
        raise InputError(f"{where}: each line must be a JSON object")
    return row


def _messages(row: dict[str, Any], where: str) -> list[dict[str, str]]:
    if "messages" in row:
        return _checked(row["messages"], where)
    if "conversations" in row:  # sharegpt
        turns = row["conversations"]
        if not isinstance(turns, list):
            raise InputError(f"{where}: `conversations` must be a list of {{from, value}} turns")
        msgs = []
        for turn in turns:
            role = (
                _SHAREGPT_ROLES.get(str(turn.get("from", "")).lower())
                if isinstance(turn, dict)
                else None
            )
            if role is None:
                raise InputError(
                    f"{where}: sharegpt turn {turn!r:.60} needs `from` in {sorted(_SHAREGPT_ROLES)}"
                )
            msgs.append({"role": role, "content": str(turn.get("value", ""))})
        return _checked(msgs, where)
    if "instruction" in row and "output" in row:  # alpaca
        prompt = row["instruction"] + (f"\n\n{row['input']}" if row.get("input") else "")
        msgs = [{"role": "system", "content": row["system"]}] if row.get("system") else []
        return [
            *msgs,
            {"role": "user", "content": prompt},
            {"role": "assistant", "content": row["output"]},
        ]
    raise InputError(
        f"{where}: no conversation found; expected `messages` (chat), `conversations` "
        f"(sharegpt) or `instruction`+`output` (alpaca); keys were {sorted(row)}"
    )


def _checked(messages: Any, where: str) -> list[dict[str, str]]:
    if not isinstance(messages, list) or not messages:
        raise InputError(f"{where}: `messages` must be a non-empty list")
    for i, m in enumerate(messages):
        if (
            not isinstance(m, dict)
            or not isinstance(m.get("role"), str)
            or not isinstance(m.get("content"), str)
        ):
            raise InputError(f"{where}: message {i} must have string `role` and `content`")
    return messages


def tokenize(
    tokenizer: Any,
    conversations: list[Conversation],
    *,
    max_length: int,
    train_on_prompt: bool = False,
    on_bad: str = "error",
    progress: Any = None,
) -> tuple[list[Tokenized], DataReport]:
    """Tokenize and check every conversation; the report counts what was dropped and why."""
    report = DataReport(read=len(conversations))
    out = []
    for conv in conversations:
        where = conv.where
        try:
            ids, mask = assistant_mask(tokenizer, conv.messages)
        except ChatTemplateError as exc:
            raise InputError(f"{where}: {exc}") from None
        problem = _problem(mask, max_length, train_on_prompt)
        if problem is None:
            ex = _example(ids[:max_length], mask[:max_length], train_on_prompt, where)
            out.append(ex)
            report.tokens += len(ex.input_ids)
            report.supervised += ex.n_supervised
        elif on_bad == "drop":
            report.dropped[problem] += 1
            report.dropped_where.append(f"{where}: {problem}")
        else:
            raise InputError(f"{where}: {problem}; {_FIXES[problem]}")
        if progress is not None:
            progress(1)
    report.kept = len(out)
    if not out:
        raise InputError(
            f"no usable training example: all {report.read} were dropped ({dict(report.dropped)})"
        )
    return out, report


_FIXES = {
    "no assistant tokens to learn from": "add an assistant turn, or set "
    "`train.on_bad_example=drop` "
    "to skip such lines (they are counted in the training card)",
    "answer cut by truncation": "raise `train.max_length` (and `train.pack_length` if "
    "set), shorten the prompt/context, or set "
    "`train.on_bad_example=drop` to skip such lines (they are counted in the training card)",
}


def _problem(mask: list[bool], max_length: int, train_on_prompt: bool) -> str | None:
    if not any(mask):
        return "no assistant tokens to learn from"
    if any(mask[max_length:]) or (train_on_prompt and len(mask) > max_length):
        return "answer cut by truncation"
    return None


def _example(ids: list[int], mask: list[bool], train_on_prompt: bool, where: str) -> Tokenized:
    supervised = [True] * len(ids) if train_on_prompt else mask
    targets = [ids[t + 1] if supervised[t + 1] else IGNORE_INDEX for t in range(len(ids) - 1)]
    return Tokenized(ids, [*targets, IGNORE_INDEX], where)
