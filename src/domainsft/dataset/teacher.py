"""Optional teacher model (distillation) for `build-dataset`, off by default.

Per chunk of a page: the teacher writes questions with a short answer and the page (one call),
drafts the full answer to each (one call each), a judge scores each (question, answer, chunk)
1-5 for groundedness (one call each), and a deterministic check keeps an answer only if every
number in it is printed in the chunk. Any OpenAI-compatible endpoint serves (``models.openai_api``).

Nothing vanishes silently: a dropped reply or question becomes a reject with its reason
(``teacher_rejects.jsonl``), and ``stats["teacher"]`` keeps
``questions_generated == questions_kept + questions_rejected``.
"""

from __future__ import annotations

import json
import math
import os
import re
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from domainsft.config import DatasetConfig, TeacherConfig
from domainsft.dataset import mix, render
from domainsft.dataset.corpus import Index, Report
from domainsft.dataset.families.base import example
from domainsft.domains.finance import PACK_DIR
from domainsft.domains.finance.templates import templates
from domainsft.evidence import Passage, render_context
from domainsft.grounding import figures, holds, value_numbers
from domainsft.models.openai_api import ChatClient, RequestFailed
from domainsft.models.openai_api import EndpointError as TeacherError
from domainsft.records import Example, Page
from domainsft.utils.jsonl import write_jsonl

REJECTS_FILE = "teacher_rejects.jsonl"
MIN_CHUNK_CHARS = 80  # shorter chunks (a title, a page counter) carry nothing to ask about
SKIP_FLAGS = ("empty", "garbled", "duplicate")
_FENCE = re.compile(r"```[A-Za-z]*[ \t]*\n?(.*?)```", re.S)
_TRAILING_COMMA = re.compile(r",\s*([\]}])")
_SCORE = re.compile(r"score\W{0,3}([1-5])(?!\d)", re.I)

__all__ = ["REJECTS_FILE", "Distilled", "TeacherError", "distil", "numbers_off_page"]


@dataclass(frozen=True)
class Chunk:
    report: Report
    page: int
    index: int  # the chunk's position on its page
    text: str


@dataclass
class Distilled:
    examples: list[Example] = field(default_factory=list)
    rejects: list[dict[str, Any]] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)

    def write_rejects(self, out: Path) -> None:
        write_jsonl(out / REJECTS_FILE, self.rejects)


@dataclass
class _Outcome:
    examples: list[Example] = field(default_factory=list)
    rejects: list[dict[str, Any]] = field(default_factory=list)
    generated: int = 0
    replies_rejected: int = 0


def distil(pages: dict[tuple[str, int], Page], index: Index, cfg: DatasetConfig) -> Distilled:
    """Teacher examples from the corpus pages (``cfg.teacher`` must be enabled)."""
    t = cfg.teacher
    start = time.perf_counter()
    client = client_for(t)
    client.models()  # a wrong URL or key fails here, before any work
    chunks = choose_chunks(pages, index, cfg)
    per = t.questions_per_chunk
    quotas = [min(per, t.max_questions - i * per) for i in range(len(chunks))]
    with ThreadPoolExecutor(t.concurrency) as pool:
        jobs = zip(chunks, quotas, strict=True)
        futures = [pool.submit(_from_chunk, client, c, q, cfg) for c, q in jobs]
        try:
            outcomes = [f.result() for f in futures]
        except TeacherError:
            pool.shutdown(cancel_futures=True)
            raise
    made = [ex for o in outcomes for ex in o.examples]
    rejects = [r for o in outcomes for r in o.rejects]
    kept, _ = mix.dedup(made)
    rejects += _duplicates(made, kept)
    generated = sum(o.generated for o in outcomes)
    stats = {
        "model": t.model,
        "judge_model": (t.judge.model or t.model) if t.judge.enabled else None,
        "base_url": t.base_url,
        "chunks": len(chunks),
        "requests": client.requests,
        "replies_rejected": sum(o.replies_rejected for o in outcomes),
        "questions_generated": generated,
        "questions_kept": len(kept),
        "questions_rejected": generated - len(kept),
        "reply_rejects_by_reason": _by_reason(rejects, "reply"),
        "question_rejects_by_reason": _by_reason(rejects, "question"),
        "seconds": round(time.perf_counter() - start, 2),
    }
    return Distilled(kept, rejects, stats)


def _by_reason(rejects: list[dict[str, Any]], level: str) -> dict[str, int]:
    return dict(sorted(Counter(r["reason"] for r in rejects if r["level"] == level).items()))


def client_for(t: TeacherConfig, backoff_s: float = 1.0) -> ChatClient:
    key = os.environ.get(t.api_key_env) if t.api_key_env else None
    return ChatClient(t.base_url, key, t.api_key_env, t.timeout_s, t.max_retries, backoff_s)


# ---------------------------------------------------------------------------- chunks


def choose_chunks(
    pages: dict[tuple[str, int], Page], index: Index, cfg: DatasetConfig
) -> list[Chunk]:
    """Enough chunks for ``max_questions``, drawn by a seeded key per chunk among the chunks
    that print at least one figure, of pages whose report (and so company) is known."""
    t = cfg.teacher
    pool = []
    for (doc_id, number), page in sorted(pages.items()):
        report = index.reports.get(doc_id)
        if report is None or report.lang not in cfg.langs:
            continue  # without a company the split could not keep the report in one split
        if any(page.flags.get(flag) for flag in SKIP_FLAGS):
            continue
        for i, text in enumerate(split_text(page.text, t.chunk_chars)):
            if len(text.strip()) >= MIN_CHUNK_CHARS:
                pool.append(Chunk(report, number, i, text))
    pool.sort(key=lambda c: _draw(cfg.seed, c))
    wanted = math.ceil(t.max_questions / t.questions_per_chunk)
    chosen = []
    for chunk in pool:
        if len(chosen) == wanted:
            break
        if value_numbers(chunk.text):
            chosen.append(chunk)
    return chosen


def _draw(seed: int, c: Chunk) -> float:
    return render.rng_for(seed, "teacher", c.report.doc_id, c.page, c.index).random()


def split_text(text: str, limit: int) -> list[str]:
    """Whole lines packed into chunks of at most ``limit`` characters (longer lines are cut)."""
    chunks, current = [], ""
    for line in text.splitlines():
        while len(line) > limit:
            chunks += [current] if current else []
            chunks.append(line[:limit])
            current, line = "", line[limit:]
        if current and len(current) + 1 + len(line) > limit:
            chunks.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    return [*chunks, current] if current else chunks


# ---------------------------------------------------------------------------- one chunk


def _from_chunk(client: ChatClient, chunk: Chunk, quota: int, cfg: DatasetConfig) -> _Outcome:
    t = cfg.teacher
    out = _Outcome()
    try:
        reply = _ask(client, t, t.model, question_prompt(chunk, quota))
    except RequestFailed as exc:
        return _reply_rejected(out, chunk, "request_failed", str(exc))
    items = parse_questions(reply)
    if not items:
        reason = "no_questions" if items == [] else "unparseable_reply"
        return _reply_rejected(out, chunk, reason, reply)
    for item in items[:quota]:
        out.generated += 1
        made = _vet(client, chunk, item, cfg)
        if isinstance(made, Example):
            out.examples.append(made)
        else:
            out.rejects.append(made)
    return out


def _vet(client: ChatClient, chunk: Chunk, item: Any, cfg: DatasetConfig) -> Example | dict:
    """The example made from one generated item, or the reject that says why not."""
    t = cfg.teacher
    question, answer, page = _fields(item)
    if not question or not answer:
        return _reject(chunk, "malformed_question", json.dumps(item, ensure_ascii=False))
    if question in prompts()["placeholders"] or answer in prompts()["placeholders"]:
        return _reject(chunk, "placeholder", "the format example, copied", question, answer)
    if page != chunk.page:
        return _reject(chunk, "wrong_page", f"the teacher cites page {page}", question, answer)
    try:
        if t.draft_answers:
            answer = _ask(client, t, t.model, draft_prompt(chunk, question)).strip()
            if not answer:
                return _reject(chunk, "empty_answer", "", question)
        score = None
        if t.judge.enabled:
            reply = _ask(client, t, t.judge.model or t.model, judge_prompt(chunk, question, answer))
            score = parse_score(reply)
            if score is None:
                return _reject(chunk, "judge_unparseable", reply, question, answer)
            if score < t.judge.min_score:
                why = f"score {score:g} < {t.judge.min_score}: {reply}"
                return _reject(chunk, "judge_score", why, question, answer)
    except RequestFailed as exc:
        return _reject(chunk, "request_failed", str(exc), question, answer)
    missing = numbers_off_page(answer, chunk.text)
    if missing:
        why = "not printed in the chunk: " + ", ".join(missing)
        return _reject(chunk, "number_not_on_page", why, question, answer)
    return _example(chunk, question, answer, score, cfg)


def _ask(client: ChatClient, t: TeacherConfig, model: str, messages: list[dict]) -> str:
    return client.chat(model, messages, temperature=t.temperature, max_tokens=t.max_tokens)


def _fields(item: Any) -> tuple[str, str, int | None]:
    if not isinstance(item, dict):
        return "", "", None
    question = str(item.get("question") or "").strip()
    answer = str(item.get("answer") or "").strip()
    found = re.search(r"\d+", str(item.get("page", "")))
    return question, answer, int(found.group()) if found else None


def _example(
    chunk: Chunk, question: str, answer: str, score: float | None, cfg: DatasetConfig
) -> Example:
    report, lang, t = chunk.report, chunk.report.lang, cfg.teacher
    cite = render.cite(report, chunk.page, lang)
    if cite not in answer:
        answer = f"{answer}{'' if lang == 'zh' else ' '}{cite}"
    key = render.rng_for(cfg.seed, "teacher-context", report.doc_id, chunk.page, question)
    with_context = key.random() < cfg.context_share
    user = f"{_context(chunk)}\n\n{question}" if with_context else question
    judge_model = (t.judge.model or t.model) if t.judge.enabled else None
    extra = {"teacher_model": t.model, "judge_model": judge_model, "judge_score": score}
    ex = example("teacher", lang, user, answer, [], reports=[report], **extra)
    ex.meta["pages"] = [[report.doc_id, chunk.page]]
    ex.meta["with_context"] = with_context
    return mix.assign_id(ex)


def _context(chunk: Chunk) -> str:
    passage = Passage(chunk.report.doc_id, chunk.page, chunk.text)
    return render_context([passage], chunk.report.lang)


def _reject(
    chunk: Chunk, reason: str, detail: str, question: str = "", answer: str = "", level="question"
) -> dict:
    """A dropped question, or (``level="reply"``) a reply that yielded no question at all."""
    return {
        "stage": "teacher",
        "level": level,
        "reason": reason,
        "doc_id": chunk.report.doc_id,
        "page": chunk.page,
        "chunk": chunk.index,
        "question": question,
        "answer": answer,
        "detail": detail[:500],
    }


def _reply_rejected(out: _Outcome, chunk: Chunk, reason: str, detail: str) -> _Outcome:
    out.replies_rejected += 1
    out.rejects.append(_reject(chunk, reason, detail, level="reply"))
    return out


def _duplicates(made: list[Example], kept: list[Example]) -> list[dict[str, Any]]:
    kept_ids = {id(ex) for ex in kept}
    out = []
    for ex in made:
        if id(ex) not in kept_ids:
            doc_id, page = ex.meta["pages"][0]
            out.append(
                {
                    "stage": "teacher",
                    "level": "question",
                    "reason": "duplicate",
                    "doc_id": doc_id,
                    "page": page,
                    "chunk": None,
                    "question": ex.messages[1]["content"],
                    "answer": ex.messages[-1]["content"],
                    "detail": "same as a kept teacher example",
                }
            )
    return out


# ---------------------------------------------------------------------------- prompts


@cache
def prompts() -> dict[str, Any]:
    """The teacher's prompts from the domain pack (``teacher.yaml``)."""
    return yaml.safe_load((PACK_DIR / "teacher.yaml").read_text(encoding="utf-8"))


def fill(template: str, **slots: object) -> str:
    """Replace ``{name}`` for the given names only; the chunk last, so its text stays as is."""
    for name in sorted(slots, key=lambda n: n == "chunk"):
        template = template.replace("{" + name + "}", str(slots[name]))
    return template


def _slots(chunk: Chunk) -> dict[str, object]:
    r = chunk.report
    return {"company": r.company, "year": r.year, "page": chunk.page, "chunk": chunk.text}


def question_prompt(chunk: Chunk, n: int) -> list[dict[str, str]]:
    p, lang = prompts()["questions"], chunk.report.lang
    return [
        {"role": "system", "content": p["system"][lang]},
        {"role": "user", "content": fill(p["user"][lang], n=n, **_slots(chunk))},
    ]


def draft_prompt(chunk: Chunk, question: str) -> list[dict[str, str]]:
    lang = chunk.report.lang
    user = fill(prompts()["draft"]["user"][lang], question=question, **_slots(chunk))
    return [
        {"role": "system", "content": templates()["system"][lang]},
        {"role": "user", "content": user},
    ]


def judge_prompt(chunk: Chunk, question: str, answer: str) -> list[dict[str, str]]:
    p, lang = prompts()["judge"], chunk.report.lang
    user = fill(p["user"][lang], question=question, answer=answer, **_slots(chunk))
    return [{"role": "system", "content": p["system"][lang]}, {"role": "user", "content": user}]


# ---------------------------------------------------------------------------- replies


def parse_json(reply: str) -> Any:
    """The first JSON value in a reply: inside code fences, the whole reply, or the first
    array/object that decodes (text around it ignored; trailing commas forgiven). None if none.
    """
    decoder = json.JSONDecoder()
    for text in [m.group(1) for m in _FENCE.finditer(reply)] + [reply]:
        for candidate in (text.strip(), _TRAILING_COMMA.sub(r"\1", text.strip())):
            try:
                return json.loads(candidate)
            except ValueError:
                pass
            for m in re.finditer(r"[\[{]", candidate):
                try:
                    return decoder.raw_decode(candidate, m.start())[0]
                except ValueError:
                    continue
    return None


def parse_questions(reply: str) -> list[Any] | None:
    """The generated items: a JSON array, ``{"questions": [...]}`` or one object; else None."""
    data = parse_json(reply)
    if isinstance(data, dict):
        data = data.get("questions", [data])
    return data if isinstance(data, list) else None


def parse_score(reply: str) -> float | None:
    """The judge's 1-5 score from ``{"score": 4, ...}`` (or ``score: 4`` in prose); else None."""
    data = parse_json(reply)
    value = data.get("score") if isinstance(data, dict) else None
    if value is None:
        found = _SCORE.search(reply)
        value = found.group(1) if found else None
    try:
        score = float(value) if value is not None and not isinstance(value, bool) else None
    except (TypeError, ValueError):
        return None
    return score if score is not None and 1 <= score <= 5 else None


def numbers_off_page(answer: str, source: str) -> list[str]:
    """The figures in ``answer`` that ``source`` does not print.

    A figure counts as printed when the page holds it at the figure's precision in any printed
    form (``grounding.holds``: 5.2亿元 against 520,000,000元, 587,220.97万元 against a table
    cell 587,220.97 under a 万元 header). Years, dates, page and section numbers and formula
    constants are not figures.
    """
    return [q.printed for q in figures(answer) if not holds(source, q)]
