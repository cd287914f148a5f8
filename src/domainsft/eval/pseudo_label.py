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
from itertools import permutations
from pathlib import Path
from typing import Any

from domainsft.eval.items import Message
from domainsft.eval.pages import cited_pages
from domainsft.numbers import Quantity, find_quantities, numbers_equal
from domainsft.records import Fact, read_facts
from domainsft.utils.jsonl import InputError, read_jsonl, write_json, write_jsonl

_SHAPE = '{"id": ..., "messages": [{"role": "user", ...}]} or {"id": ..., "question": "..."}'
MAX_DERIVATION_FACTS = 40  # pairs of the nearest facts tried for a derived figure


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


def load_facts(corpus: Path) -> list[Fact]:
    path = corpus / "facts.jsonl" if corpus.is_dir() else corpus
    if not path.exists():
        raise InputError(f"{path}: no facts file; run `domainsft facts CORPUS --out {path}` first")
    return read_facts(path)


def company_facts(question: str, facts: list[Fact]) -> list[Fact]:
    """Facts of the companies the question names (full or short name), numbers only."""
    named = {f.company for f in facts if f.company in question}
    named |= {f.company for f in facts if f.company_short and f.company_short in question}
    return [f for f in facts if f.company in named and f.unit != "text"]


def _fact_quantity(f: Fact) -> Quantity:
    return Quantity(value=Decimal(f.value), unit="%" if f.unit == "%" else "", scale=f.scale,
                    printed=f.printed)  # fmt: skip


def _derived(q: Quantity, values: list[Decimal]) -> bool:
    """``q`` is a/b×100, (a−b)/|b|×100, a/b, a+b or a−b of two of ``values``, at q's precision
    (up to sign: "a decrease of 25.49%" states the size of a -25.49% change)."""
    for x, y in permutations(values[:MAX_DERIVATION_FACTS], 2):
        tries = [x + y, x - y]
        if y != 0:
            tries += [x / y * 100, (x - y) / abs(y) * 100, x / y]
        if any(_matches(q, Quantity(value=t, unit=q.unit)) for t in tries):
            return True
    return False


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
    numbers = [_plain(q) for q in find_quantities(answer) if q.is_candidate]
    if not numbers:
        return Verdict(False, "no figure")
    if not facts:
        return Verdict(False, "no facts for the company the question names")
    quantities = [(f, _fact_quantity(f)) for f in facts]
    stated = [_plain(q) for q in find_quantities(question) if q.is_candidate]
    used: list[Fact] = []
    operands: list[Decimal] = [q.value for q in stated]
    left = []
    for q in numbers:
        hits = [f for f, fq in quantities if _matches(q, fq)]
        used.extend(hits)
        if hits or any(_matches(q, s) for s in stated):
            operands.append(q.value)
        else:
            left.append(q)
    for q in left:
        if not _derived(q, operands):
            return Verdict(False, f"figure {q.printed!r} matches no fact")
    cited = cited_pages({"output": answer}, "answer")
    if not cited:
        return Verdict(False, "no page cited")
    used_pages = {f.page for f in used}
    stray = [p for _, p in cited if p not in used_pages]
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
