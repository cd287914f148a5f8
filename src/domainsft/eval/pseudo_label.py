"""Self-training: the model answers unlabeled questions; answers whose figures all verify
against the extracted facts become new training examples.

An answer is kept only when (1) it states at least one figure, (2) every figure it states
(years, page and section numbers aside) equals a fact of the company the question names, at
the answer's printed precision, or is the ratio / growth / sum / difference of two such facts,
and (3) it cites at least one page, and every cited page holds a fact the answer used. Anything
else goes to the rejects file with the reason, so nothing unverified reaches training.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from domainsft.eval.items import Message
from domainsft.grounding import FigureIndex, cited_page_numbers, figures
from domainsft.numbers import Quantity, numbers_equal
from domainsft.records import Fact
from domainsft.utils.jsonl import InputError, read_jsonl, write_json, write_jsonl

_SHAPE = '{"id": ..., "messages": [{"role": "user", ...}]} or {"id": ..., "question": "..."}'
MAX_DERIVATION_FACTS = 40  # verified figures tried as the operands of a derived one


@dataclass
class Question:
    id: str
    prompt: list[Message]
    where: str


@dataclass
class Verdict:
    kept: bool
    reason: str = ""
    fact_ids: list[str] = field(default_factory=list)
    pages: list[tuple[str, int]] = field(default_factory=list)


def read_questions(path: Path) -> list[Question]:
    out = []
    for lineno, rec in read_jsonl(path):
        where = f"{path}:{lineno}"
        qid = rec.get("id")
        if qid in (None, ""):
            raise InputError(f'{where}: no "id"; each line must be {_SHAPE}')
        if isinstance(rec.get("messages"), list) and rec["messages"]:
            prompt = [m for m in rec["messages"] if m.get("role") != "assistant"]
        elif isinstance(rec.get("question"), str) and rec["question"].strip():
            prompt = [{"role": "user", "content": rec["question"]}]
            if isinstance(rec.get("system"), str):
                prompt.insert(0, {"role": "system", "content": rec["system"]})
        else:
            raise InputError(f"{where}: no question; each line must be {_SHAPE}")
        out.append(Question(str(qid), prompt, where))
    if not out:
        raise InputError(f"{path}: no questions; each line must be {_SHAPE}")
    return out


def company_facts(question: str, facts: list[Fact]) -> list[Fact]:
    """Facts of the companies the question names (full or short name), numbers only."""
    named = {f.company for f in facts if f.company in question}
    named |= {f.company for f in facts if f.company_short and f.company_short in question}
    return [f for f in facts if f.company in named and f.unit != "text"]


def _fact_quantity(f: Fact) -> Quantity:
    return Quantity(value=Decimal(f.value), unit="%" if f.unit == "%" else "", scale=f.scale,
                    printed=f.printed)  # fmt: skip


def _plain(q: Quantity) -> Quantity:
    """Units reduced to percent-or-not: reports and answers name currencies differently."""
    unit = "%" if q.unit in ("%", "pp") else ""
    return Quantity(value=q.value, unit=unit, scale=q.scale, printed=q.printed, quantum=q.quantum)


def _matches(q: Quantity, fq: Quantity) -> bool:
    """Equal, or equal up to sign: expenses print as -1,459.6 in one table and 1,459.6 in the
    next, and ``a - 655.2`` reads as a negative 655.2."""
    return numbers_equal(q, fq) or numbers_equal(replace(q, value=-q.value), fq)


def verify(answer: str, facts: list[Fact], question: str = "") -> Verdict:
    """Whether an answer's figures and citations all check out against ``facts``.

    A figure is checked first against the facts and the figures the question states; what is
    left must be derived from two figures that checked out (the operands an answer shows).
    """
    numbers = [_plain(q) for q in figures(answer)]
    if not numbers:
        return Verdict(False, "no figure")
    if not facts:
        return Verdict(False, "no facts for the company the question names")
    quantities = [(f, _fact_quantity(f)) for f in facts]
    stated = [_plain(q) for q in figures(question)]
    used: list[Fact] = []
    operands: list[Quantity] = list(stated)
    left = []
    for q in numbers:
        hits = [f for f, fq in quantities if _matches(q, fq)]
        used.extend(hits)
        if hits or any(_matches(q, s) for s in stated):
            operands.append(q)
        else:
            left.append(q)
    derivable = FigureIndex(operands, MAX_DERIVATION_FACTS, repeats_pair=True)
    for q in left:
        if not derivable.derivable(q):
            return Verdict(False, f"figure {q.printed!r} matches no fact")
    cited = cited_page_numbers(answer)
    if not cited:
        return Verdict(False, "no page cited")
    used_pages = {f.page for f in used}
    stray = [p for p in cited if p not in used_pages]
    if stray:
        return Verdict(False, f"cites page {stray[0]}, which holds none of the figures used")
    pages = sorted({(f.doc_id, f.page) for f in used})
    return Verdict(True, "", sorted({f.fact_id for f in used}), pages)


def pseudo_label(
    questions: list[Question], answers: list[str], facts: list[Fact], out: Path
) -> dict[str, Any]:
    """Write ``out/pseudo_labeled.jsonl`` (messages examples), ``rejects.jsonl``, ``stats.json``."""
    kept, rejects, reasons = [], [], Counter()
    by_company = defaultdict(list)
    for q, answer in zip(questions, answers, strict=True):
        text = q.prompt[-1]["content"]
        key = text
        if key not in by_company:
            by_company[key] = company_facts(text, facts)
        verdict = verify(answer, by_company[key], text)
        if verdict.kept:
            kept.append(_example(q, answer, verdict))
        else:
            reasons[verdict.reason.split(" '")[0]] += 1
            rejects.append(
                {"id": q.id, "where": q.where, "output": answer, "reason": verdict.reason}
            )
    write_jsonl(out / "pseudo_labeled.jsonl", kept)
    write_jsonl(out / "rejects.jsonl", rejects)
    stats = {"questions": len(questions), "kept": len(kept), "rejected": len(rejects),
             "reasons": dict(reasons.most_common())}  # fmt: skip
    write_json(out / "stats.json", stats)
    return stats


def _example(q: Question, answer: str, v: Verdict) -> dict[str, Any]:
    return {
        "id": f"pseudo-{q.id}",
        "messages": [*q.prompt, {"role": "assistant", "content": answer}],
        "meta": {
            "family": "pseudo",
            "pseudo_label": True,
            "source_id": q.id,
            "doc_ids": sorted({d for d, _ in v.pages}),
            "pages": [[d, p] for d, p in v.pages],
            "fact_ids": v.fact_ids,
            "gold": None,
            "is_negative": False,
            "is_replay": False,
        },
    }
