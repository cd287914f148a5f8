"""Enterprise RAG Challenge round 2 → ``EvalItem``s over pages retrieved from the ingested reports.

The challenge gives questions, gold answers and gold page pools as ``sha1:page`` with 0-based
pages (shared/data/README.md). domainsft names a document by the sha256 of its bytes and pages
from 1, so each sha1 is mapped through its PDF (``<reports>/<sha1>.pdf``) and each page moved
up by one. The model is not given whole reports: the retrieval kernel (``domainsft.retrieval``:
BM25 with query expansion from the domain pack) picks the ``top_k`` pages of each report
the question names, from the ``pages.jsonl`` that ``domainsft ingest`` wrote, and whether a
gold page was among them is kept in ``meta.retrieval_hit`` so that a wrong answer can be told
apart from a retrieval miss. Numbers are scored by the challenge's rule (mode ``erc``).
"""

from __future__ import annotations

import hashlib
import json
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from domainsft.eval.items import EvalItem
from domainsft.eval.suites.common import analyst_system, existing, shared_data
from domainsft.evidence import Passage, render_context
from domainsft.retrieval import ReportPages
from domainsft.utils.jsonl import InputError

INGEST_HINT = (
    "ingest the reports first: `domainsft ingest ../shared/data/reports/en/erc --out runs/erc`, "
    "then pass the option `pages` (`--option pages=runs/erc/pages.jsonl`)"
)
_SHAPE = '[{"question", "kind", "answers", "reference_pools"}] or {question: {...}}'
_CONDITION = re.compile(r"\s*\bIf [^?.]*[?.]")  # "If data is not available, return 'N/A'."
# Words of the challenge's question templates that every page of a report shares (its cover,
# its certifications): left in the query they pull those pages to the top.
_TEMPLATE_WORDS = re.compile(
    r"\b(?:annual|report(?:s|ed)?|period|listed|value|end|last|within|according|mention(?:ed)?)\b",
    re.IGNORECASE,
)


def load_erc(
    source: str | Path | None = None,
    *,
    limit: int | None = None,
    pages: str | Path | None = None,
    reports: str | Path | None = None,
    top_k: int = 3,
    max_chars: int = 2500,
    system_prompt: str | None = None,
) -> list[EvalItem]:
    """The challenge's answers file (default: the 18 questions whose reports ship in
    ``reports/en/erc``; ``subset.json`` must sit beside it) → items."""
    default = shared_data("qa", "erc_round2", "answers_on_shipped_pdfs.json")
    path = existing(source or default, "erc", "ERC answers file")
    questions = read_questions(path)[:limit]
    companies = read_companies(existing(path.parent / "subset.json", "erc", "ERC subset.json"))
    reports_dir = Path(reports) if reports else shared_data("reports", "en", "erc")
    if top_k < 1 or max_chars < 1:
        raise InputError(f"erc suite: top_k ({top_k}) and max_chars ({max_chars}) must be >= 1")
    if pages is None:
        raise InputError(f"the erc suite needs the reports' page texts; {INGEST_HINT}")
    wanted = list(dict.fromkeys(sha for q in questions for sha in report_shas(q, companies)))
    corpus = ReportPages.load(pages, wanted, reports_dir, hint=INGEST_HINT)
    system = system_prompt or analyst_system("en")
    return [_item(q, companies, corpus, top_k, max_chars, system) for q in questions]


def read_questions(path: Path) -> list[dict[str, Any]]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: not a UTF-8 JSON file ({exc}); expected {_SHAPE}") from None
    if isinstance(raw, dict):
        raw = [{"question": k} | v for k, v in raw.items() if isinstance(v, dict)]
    if not isinstance(raw, list) or not raw:
        raise InputError(f"{path}: expected {_SHAPE}")
    for i, q in enumerate(raw):
        missing = [k for k in ("question", "kind", "answers") if k not in q]
        if missing:
            raise InputError(f"{path}: question {i} has no {', '.join(missing)}; expected {_SHAPE}")
    return raw


def read_companies(path: Path) -> dict[str, str]:
    """``{company name: sha1}`` from the challenge's ``subset.json``."""
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
        return {str(r["company_name"]).strip(): str(r["sha1"]) for r in rows}
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise InputError(
            f"{path}: expected the challenge's subset.json, a list of "
            f'{{"company_name", "sha1", ...}} ({exc})'
        ) from None


def report_shas(q: dict[str, Any], companies: dict[str, str]) -> list[str]:
    """The reports a question is about: the companies it names (longest names first, so that a
    short name inside a longer one is not matched twice), then any report its gold cites."""
    text, found = q["question"], []
    for name in sorted(companies, key=len, reverse=True):
        at = text.find(name)
        if at >= 0:
            found.append((at, companies[name]))
            text = text[:at] + " " * len(name) + text[at + len(name) :]
    shas = [sha for _, sha in sorted(found)]
    shas += [ref.rpartition(":")[0] for pool in q.get("reference_pools") or [] for ref in pool]
    if not shas:
        raise InputError(f"question {q['question'][:80]!r}: names no company of subset.json")
    return list(dict.fromkeys(shas))


def _item(
    q: dict[str, Any],
    companies: dict[str, str],
    corpus: ReportPages,
    top_k: int,
    max_chars: int,
    system: str,
) -> EvalItem:
    shas = report_shas(q, companies)
    names = {sha: name for name, sha in companies.items()}
    query = search_query(q["question"], [names.get(s, "") for s in shas])
    context, retrieved = _context(shas, names, corpus, query, top_k, max_chars)
    pools = _gold_pools(q, corpus)
    gold_pages = [[d, int(p)] for d, _, p in (r.rpartition(":") for r in dict.fromkeys(
        ref for pool in pools for ref in pool))]  # fmt: skip
    answer = gold_answer(q)
    qid = "erc-" + hashlib.sha1(q["question"].encode("utf-8")).hexdigest()[:10]
    gold: dict[str, Any] = {"id": qid, "answer": answer} | ({"pages": pools} if pools else {})
    return EvalItem(
        id=qid,
        prompt=[
            {"role": "system", "content": system},
            {"role": "user", "content": f"{context}\n\nQuestion: {q['question']}"},
        ],
        reference=reference(answer),
        gold=gold,
        family=str(q["kind"]),
        lang="en",
        meta={
            "kind": q["kind"],
            "mode": "erc",
            "companies": [names.get(s, s) for s in shas],
            "doc_ids": [corpus.doc_ids[s] for s in shas],
            "pages": gold_pages,
            "retrieved": retrieved,
            "retrieval_hit": any(r in gold_pages for r in retrieved),
        },
    )


def _context(
    shas: list[str],
    names: dict[str, str],
    corpus: ReportPages,
    query: str,
    top_k: int,
    max_chars: int,
) -> tuple[str, list[list[Any]]]:
    """``Context:`` then each retrieved page as a ``[p. N]`` block (trimmed to ``max_chars``),
    labelled with its company when the question compares several; and ``[[doc_id, page]]``."""
    passages, retrieved = [], []
    for sha in shas:
        doc_id = corpus.doc_ids[sha]
        label = names.get(sha, sha) if len(shas) > 1 else ""
        for page in corpus.retrieve(doc_id, query, top_k):
            retrieved.append([doc_id, page])
            text = corpus.texts[doc_id][page][:max_chars].rstrip()
            passages.append(Passage(doc_id, page, text, label))
    return render_context(passages, "en"), retrieved


def _gold_pools(q: dict[str, Any], corpus: ReportPages) -> list[list[str]]:
    """The challenge's ``sha1:page`` pools (0-based) as ``doc_id:page`` pools, 1-based."""
    pools = []
    for pool in q.get("reference_pools") or []:
        refs = [ref.rpartition(":") for ref in pool]
        pools.append([f"{corpus.doc_ids[sha]}:{int(page) + 1}" for sha, _, page in refs])
    return pools


def search_query(question: str, companies: list[str]) -> str:
    """The question without its answer-format condition, the template's words and the company
    names (printed on nearly every page, so they only add noise to the ranking)."""
    for name in companies:
        question = question.replace(name, " ") if name else question
    return " ".join(_TEMPLATE_WORDS.sub(" ", _CONDITION.sub("", question)).split())


def gold_answer(q: dict[str, Any]) -> Any:
    """The answer in the scorer's terms: a plain number, a bool, "N/A", a name or names."""
    answers = [str(a).strip() for a in q["answers"]]
    if not answers or answers == ["N/A"]:
        return "N/A"
    kind = q["kind"]
    if kind == "boolean":
        if answers[0] not in ("True", "False"):
            raise InputError(f"question {q['question'][:80]!r}: boolean answer {answers[0]!r}")
        return answers[0] == "True"
    if kind == "number":
        try:
            return format(Decimal(answers[0]).normalize(), "f")  # "406100000.0" → "406100000"
        except InvalidOperation:
            raise InputError(
                f"question {q['question'][:80]!r}: not a number: {answers[0]!r}"
            ) from None
    return answers[0] if len(answers) == 1 else answers


def reference(answer: Any) -> str:
    if isinstance(answer, bool):
        return "Yes" if answer else "No"
    return "; ".join(answer) if isinstance(answer, list) else str(answer)
