"""Feedback from ``domainsft serve`` as SFT examples: what users said about served answers,
back into training.

Each line of ``serve.log_dir/feedback.jsonl`` is one rating of one answer (``POST
/v1/feedback``), with what the model saw (``prompt``: for a grounded answer the pipeline's
system rules, evidence block and question) and what it answered. A user's word is not evidence,
so nothing goes into training on it alone; the numeric verifier (``assistant.audit``, what
``domainsft verify`` runs) checks every figure against the corpus first:

* a **correction** becomes one example, the prompt the model saw plus the correction as the
  answer, when each of its figures is verified or recomputed (none corrected or unverified);
* a **good rating** without a correction (``FeedbackConfig.rating_scale``) makes the served
  answer an example when the server had verified it and it was no abstention, and it verifies
  again against this corpus (``rated_answers``);
* bad, neutral and ambiguous ratings without a correction teach nothing an SFT example can
  hold: they are counted, not kept.

The latest feedback on a response id wins (a user may change their mind), and one prompt with
one answer is kept once. A line that cannot be read (a torn write) or used, and every answer
the verifier does not pass, goes to the rejects with its ``file:line`` and the reason; the rest
of the log is read on. The examples carry ``meta.source = "feedback"``, the response id, the
version that answered and the rating; their figures' reports and pages are in ``meta.pages``
and ``meta.figures`` (``fact_ids`` stays empty: the verifier, not ``check-provenance``, has
checked them). Where they go (train, or held out with their company) is ``place``'s call.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from domainsft.config import FeedbackConfig
from domainsft.records import Example, Fact, Reject
from domainsft.utils.jsonl import InputError, read_jsonl_lenient

if TYPE_CHECKING:  # the assistant is imported where it is used: only a feedback build needs it
    from domainsft.assistant.audit import Auditor
    from domainsft.assistant.understand import Query
    from domainsft.assistant.verifier import NumberCheck, Verification

STAGE = "feedback"
REJECTS_FILE = "feedback_rejects.jsonl"
HELDOUT_FILE = "feedback_heldout.jsonl"
ROLES = {"system": "system", "developer": "system", "user": "user", "assistant": "assistant"}
FIX = "write feedback with `POST /v1/feedback` of `domainsft serve`"


@dataclass
class Entry:
    """One readable line of a log."""

    file: str
    where: str  # "path:line"
    order: tuple[str, int, int]  # (received, file index, line): the latest sorts last
    record: dict[str, Any]


@dataclass
class Collected:
    examples: list[Example] = field(default_factory=list)
    rejects: list[dict[str, Any]] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)

    def reject(self, entry: Entry | str, reason: str, detail: str, **extra: Any) -> None:
        where = entry if isinstance(entry, str) else entry.where
        self.rejects.append(Reject(where, reason, STAGE, detail).to_dict() | extra)
        self.reasons[reason] += 1

    def stats(self, files: list[Path]) -> dict[str, Any]:
        kinds = Counter(ex.meta["feedback"] for ex in self.examples)
        c = self.counts
        return {
            "files": [str(f) for f in files],
            "lines": c["lines"],
            "kept": len(self.examples),
            "kept_by_kind": {"correction": kinds["correction"], "rating": kinds["rating"]},
            "rejected": len(self.rejects),
            "rejected_by_reason": dict(sorted(self.reasons.items())),
            "skipped_negative": c["negative"],
            "skipped_neutral": c["neutral"],
            "skipped_ambiguous_rating": c["ambiguous"],
            "skipped_good_not_verified": c["good_not_verified"],
            "skipped_good_rated_answers_off": c["rated_answers_off"],
            "duplicates": c["duplicates"],
            "superseded": c["superseded"],
        }


def collect(files: list[Path], corpus: Path, facts: list[Fact], cfg: FeedbackConfig) -> Collected:
    """The examples, rejects and counts of ``files`` (see the module docstring)."""
    from domainsft.assistant.audit import Auditor

    out = Collected()
    every = _read(files, out)
    scales = _scales(every, cfg.rating_scale)  # a log's scale shows in all its ratings
    entries = _latest(every, out)
    maker = _Maker(Auditor(corpus, facts), facts, cfg)
    kept: dict[str, Example] = {}
    for entry in entries:
        ex = _one(entry, scales[entry.file], cfg, maker, out)
        if ex is None:
            continue
        if ex.id in kept:
            out.counts["duplicates"] += 1
        kept[ex.id] = ex  # entries run oldest first: the latest feedback's example stays
    out.examples = sorted(kept.values(), key=lambda ex: ex.id)
    return out


# ------------------------------------------------------------------ reading


def _read(files: list[Path], out: Collected) -> list[Entry]:
    entries = []
    for i, path in enumerate(files):
        if not Path(path).is_file():
            raise InputError(
                f"{path}: no feedback log there; pass the `feedback.jsonl` that `domainsft "
                "serve` writes under serve.log_dir"
            )
        for lineno, rec in read_jsonl_lenient(path):
            out.counts["lines"] += 1
            where = f"{path}:{lineno}"
            if isinstance(rec, InputError):
                out.reject(where, "unreadable line", str(rec))
                continue
            problem = _shape(rec)
            if problem:
                out.reject(where, "not a feedback record", f"{where}: {problem}; {FIX}")
                continue
            order = (str(rec.get("received") or ""), i, lineno)
            entries.append(Entry(str(path), where, order, rec))
    return entries


def _shape(rec: dict[str, Any]) -> str:
    rid, rating, correction = rec.get("response_id"), rec.get("rating"), rec.get("correction")
    if not isinstance(rid, str) or not rid:
        return "no `response_id`"
    if not isinstance(rating, int) or isinstance(rating, bool) or not -1 <= rating <= 5:
        return f"`rating` must be an integer from -1 to 5, got {rating!r}"
    if correction is not None and not isinstance(correction, str):
        return f"`correction` must be text or null, got {type(correction).__name__}"
    if "prompt" not in rec and "messages" not in rec:
        return "no `prompt`: the server logs what the model saw with each answer"
    return ""


def _latest(entries: list[Entry], out: Collected) -> list[Entry]:
    """The latest entry per response id, oldest first."""
    last: dict[str, Entry] = {}
    for entry in sorted(entries, key=lambda e: e.order):
        if entry.record["response_id"] in last:
            out.counts["superseded"] += 1
        last[entry.record["response_id"]] = entry
    return sorted(last.values(), key=lambda e: e.order)


# ------------------------------------------------------------------ ratings


def _scales(entries: list[Entry], scale: str) -> dict[str, str]:
    """Per log file: thumbs, stars, or mixed (``auto`` over a file holding both)."""
    ratings: dict[str, set[int]] = {}
    for e in entries:
        ratings.setdefault(e.file, set()).add(e.record["rating"])
    if scale != "auto":
        return dict.fromkeys(ratings, scale)
    out = {}
    for path, seen in ratings.items():
        thumbs, stars = bool(seen & {-1, 0}), bool(seen & {2, 3, 4, 5})
        out[path] = "mixed" if thumbs and stars else "stars" if stars else "thumbs"
    return out


def judge(rating: int, scale: str, min_stars: int = 4) -> str:
    """good, bad, neutral, ambiguous (a 1 in a mixed log) or off-scale."""
    if scale == "thumbs" or (scale == "mixed" and rating <= 0):
        return {-1: "bad", 0: "neutral", 1: "good"}.get(rating, "off-scale")
    if scale == "mixed" and rating == 1:
        return "ambiguous"
    if rating < 1:
        return "off-scale"
    return "good" if rating >= min_stars else "bad" if rating <= 2 else "neutral"


# ------------------------------------------------------------------ examples


def _one(
    entry: Entry, scale: str, cfg: FeedbackConfig, maker: _Maker, out: Collected
) -> Example | None:
    rec = entry.record
    correction = (rec.get("correction") or "").strip()
    verdict = judge(rec["rating"], scale, cfg.min_stars)
    if verdict == "off-scale":
        out.reject(entry, "rating off its scale",
                   f"{entry.where}: rating {rec['rating']} is not on the {scale} scale; set "
                   "dataset.feedback.rating_scale to the scale the client rates on")  # fmt: skip
        return None
    if correction:
        return maker.example(entry, correction, "correction", out)
    if verdict in ("bad", "neutral", "ambiguous"):
        out.counts["negative" if verdict == "bad" else verdict] += 1
        return None
    if not cfg.rated_answers:
        out.counts["rated_answers_off"] += 1
        return None
    answer = rec.get("answer")
    if rec.get("verified") is not True or rec.get("abstained") or not isinstance(answer, str):
        out.counts["good_not_verified"] += 1  # a plain answer, an abstention, a flagged figure
        return None
    return maker.example(entry, answer.strip(), "rating", out)


class _Maker:
    """Verifies one answer and turns it into an example with its provenance."""

    def __init__(self, auditor: Auditor, facts: list[Fact], cfg: FeedbackConfig):
        from domainsft.dataset.corpus import Index

        self.auditor, self.cfg = auditor, cfg
        self.company_of = {d: r.company for d, r in Index(facts).reports.items()}
        self.doc_of_source = {f.source: f.doc_id for f in facts}

    def example(self, entry: Entry, text: str, kind: str, out: Collected) -> Example | None:
        rec = entry.record
        messages, grounded = _prompt(rec)
        if messages is None:
            out.reject(entry, "no conversation",
                       f"{entry.where}: the prompt is not a list of chat messages ending with "
                       "the user's turn (a /v1/completions prompt is plain text)")  # fmt: skip
            return None
        question = rec.get("question") or messages[-1]["content"]
        checked = self.auditor(text, question)
        problem = _failure(checked, self.cfg.require_figures)
        if problem:
            out.reject(entry, problem[0], f"{entry.where}: {problem[1]}",
                       response_id=rec["response_id"], kind=kind, text=text)  # fmt: skip
            return None
        query = self.auditor.query(question)
        convo = [*messages, {"role": "assistant", "content": text}]
        meta = self._meta(rec, entry, kind, checked, query, grounded)
        body = json.dumps(convo, ensure_ascii=False, sort_keys=True)
        return Example(f"feedback-{hashlib.sha256(body.encode()).hexdigest()[:16]}", convo, meta)

    def _meta(
        self,
        rec: dict[str, Any],
        entry: Entry,
        kind: str,
        checked: Verification,
        query: Query,
        grounded: bool,
    ) -> dict[str, Any]:
        sources = [n.source for n in checked.numbers if n.source is not None]
        cited = [self.doc_of_source.get(c.get("source")) for c in rec.get("citations") or []]
        docs = sorted({s.doc_id for s in sources} | {d for d in cited if d})
        named = [r.doc_id for c in query.companies for r in c.reports]
        companies = list(dict.fromkeys(self.company_of[d] for d in [*named, *docs]
                                       if d in self.company_of))  # fmt: skip
        meta: dict[str, Any] = {
            "family": "feedback",
            "source": "feedback",
            "feedback": kind,
            "company": companies[0] if companies else "",
            "companies": companies,
            "lang": query.lang,
            "doc_ids": docs,
            "pages": sorted([list(p) for p in {(s.doc_id, s.page) for s in sources}]),
            "fact_ids": [],
            "figures": [_figure(n) for n in checked.numbers],
            "gold": None,
            "is_negative": False,
            "is_replay": False,
            "with_context": grounded,
            "grounded": grounded,
            "response_id": rec["response_id"],
            "version": rec.get("version", ""),
            "rating": rec["rating"],
            "received": rec.get("received", ""),
            "comment": rec.get("comment"),
            "log": entry.where,
        }
        if kind == "correction" and isinstance(rec.get("answer"), str):
            meta["original_answer"] = rec["answer"]
        return meta


def _prompt(rec: dict[str, Any]) -> tuple[list[dict[str, str]] | None, bool]:
    """The messages the model saw, and whether they are the pipeline's grounded prompt. An
    answer given without a prompt (an abstention before any model call) takes the client's
    messages."""
    prompt = rec.get("prompt")
    if isinstance(prompt, list) and prompt:
        return _messages(prompt), "question" in rec
    if prompt is None or prompt == []:
        return _messages(rec.get("messages")), False
    return None, False


def _messages(raw: Any) -> list[dict[str, str]] | None:
    if not isinstance(raw, list):
        return None
    out = []
    for m in raw:
        if not isinstance(m, dict) or m.get("role") not in ROLES:
            if isinstance(m, dict) and m.get("role") == "tool":
                continue
            return None
        content = m.get("content")
        if isinstance(content, list):  # content parts: the text ones
            content = "".join(str(p.get("text", "")) for p in content
                              if isinstance(p, dict) and p.get("type") == "text")  # fmt: skip
        if not isinstance(content, str):
            return None
        out.append({"role": ROLES[m["role"]], "content": content})
    return out if out and out[-1]["role"] == "user" else None


def _failure(checked: Verification, require_figures: bool) -> tuple[str, str] | None:
    """(reason, detail) when the verifier does not pass the answer, else None."""
    bad = [n for n in checked.numbers if n.status not in ("verified", "recomputed")]
    if bad:
        contradicts = [n for n in bad if n.status == "corrected"]
        reason = "figure contradicts the reports" if contradicts else "figure not in the reports"
        return reason, "; ".join(_what(n) for n in bad)
    if require_figures and not checked.numbers:
        return "no figure to verify", (
            "the answer states no figure the verifier could check against the reports; set "
            "dataset.feedback.require_figures=false to keep answers without figures"
        )
    return None


def _what(n: NumberCheck) -> str:
    page = f" (p. {n.source.page})" if n.source is not None else ""
    if n.status == "corrected":
        return f"figure {n.printed} {n.reason}{page}: {n.corrected}"
    return f"figure {n.printed}: {n.reason}"


def _figure(n: NumberCheck) -> dict[str, Any]:
    s = n.source
    return {"printed": n.printed, "status": n.status, "doc_id": s.doc_id if s else None,
            "page": s.page if s else None, "fact_id": s.fact_id if s else None}  # fmt: skip


# ------------------------------------------------------------------ where they go


def company_splits(
    facts: list[Fact], val_share: float, test_share: float, seed: int, splits: dict | None = None
) -> dict[str, str]:
    """Company -> split: as ``split.assign`` deals the corpus's companies, then as the built
    ``splits`` actually hold them (the same deal, where every company has examples)."""
    from domainsft.dataset.corpus import Index
    from domainsft.dataset.split import assign

    companies = [r.company for r in Index(facts).reports.values()]
    where = assign(companies, val_share, test_share, seed)
    for name, part in (splits or {}).items():
        for ex in part:
            if ex.meta.get("doc_ids") and not ex.meta.get("is_replay"):
                where[ex.meta["company"]] = name
    return where


def place(examples: list[Example], where: dict[str, str]) -> tuple[list[Example], list[Example]]:
    """(train, held out): an example about a val or test company stays out of train, or the
    held-out evaluation would score answers the model was trained on."""
    train, held = [], []
    for ex in examples:
        outside = sorted(
            {where[c] for c in ex.meta["companies"] if where.get(c) in ("val", "test")}
        )
        ex.meta["split"] = outside[0] if outside else "train"  # "test" before "val"
        (held if outside else train).append(ex)
    return train, held
