"""The analyst: one question in, a grounded, verified, compliant answer out.

Reads top to bottom for each question: understand it against the corpus; abstain when the
corpus rules it out (an unknown company, a year no report covers, a figure no report gives);
scope the reports and facts; draft what the facts give; retrieve the pages; prompt the model
(``domainsft.models`` backends: a local model with its adapter, or an OpenAI-compatible
endpoint); verify every figure; fall back on the draft when the model's answer does not state
the figures the facts give; mend and list the citations; apply the compliance guard. Questions
are answered in batches so a local model generates them together.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from dataclasses import replace as dc_replace
from pathlib import Path
from typing import Any

from domainsft.assistant import abstain, cite, passages
from domainsft.assistant.answerable import unanswerable
from domainsft.assistant.companies import aliases, name_key
from domainsft.assistant.directory import Company, Directory
from domainsft.assistant.draft import Draft, draft
from domainsft.assistant.evidence import Evidence
from domainsft.assistant.guard import guard
from domainsft.assistant.prompt import messages
from domainsft.assistant.prose import prose_draft
from domainsft.assistant.scope import Scope, group_by_doc, scope_of
from domainsft.assistant.understand import Query, understand
from domainsft.assistant.verifier import Verification, verify
from domainsft.config import AssistantConfig
from domainsft.corpus import load_facts, read_pages
from domainsft.grounding import present
from domainsft.models.backends import Answer, Generation
from domainsft.models.chat import Message
from domainsft.records import Fact
from domainsft.retrieval import PageIndex


@dataclass
class Reply:
    """One answer, with everything ``ask --json`` and the server report about it."""

    question: str
    answer: str
    lang: str = "en"
    citations: list[cite.Citation] = field(default_factory=list)
    verification: Verification | None = None
    guard: list[dict[str, str]] = field(default_factory=list)
    abstained: bool = False
    model: str = ""
    latency_s: float = 0.0
    prompt: list[Message] = field(default_factory=list)
    model_answer: str = ""  # what the model said, before verification and fallback
    drafted: bool = False  # the answer is the draft built from the facts
    generation: Answer | None = None  # the model's answer with its token counts
    pages: list[tuple[str, int]] = field(default_factory=list)  # (doc_id, page) shown as evidence

    @property
    def verified(self) -> bool:
        return bool(self.verification and self.verification.verified and not self.abstained)

    def to_json(self) -> dict[str, Any]:
        numbers = self.verification.numbers if self.verification else []
        return {
            "answer": self.answer,
            "citations": [c.to_dict() for c in self.citations],
            "verified": self.verified,
            "numbers": [n.to_dict() for n in numbers],
            "guard": self.guard,
            "abstained": self.abstained,
            "model": self.model,
            "latency_s": round(self.latency_s, 3),
        }


@dataclass
class _Job:
    question: str
    query: Query
    scope: Scope | None = None
    draft: Draft = field(default_factory=Draft)
    evidence: Evidence = field(default_factory=Evidence)
    prompt: list[Message] = field(default_factory=list)
    reply: Reply | None = None  # set when the job ends before generation (abstention)


class Assistant:
    """The pipeline over one corpus and one model backend (``backend=None``: no model; every
    answer is the draft, for auditing the facts side alone)."""

    def __init__(
        self,
        corpus: str | Path,
        backend: Any,
        cfg: AssistantConfig | None = None,
        facts: list[Fact] | None = None,
    ):
        """``facts``: the corpus's facts when they were read already (else facts.jsonl)."""
        self.cfg = cfg or AssistantConfig()
        facts = load_facts(corpus) if facts is None else facts
        self.directory = Directory.from_facts(facts)
        self.facts_by_doc = group_by_doc(facts)
        if self.cfg.top_k > 0:
            index = PageIndex.open(corpus)
            self.pages = passages.PageStore(index.pages, self.cfg.max_chars, index)
        else:
            self.pages = passages.PageStore(read_pages(corpus), self.cfg.max_chars)
        self.backend = backend
        self._lock = threading.Lock()
        self.model_name = getattr(backend, "name", "draft") if backend is not None else "draft"

    def prompt_for(self, question: str) -> list[Message] | None:
        """The prompt the model would get for ``question`` (None where the pipeline abstains
        before asking it): the dataset's grounded examples are rendered by this, so training
        sees what serving shows."""
        job = self._prepare(question)
        return job.prompt if job.reply is None else None

    def answer(self, question: str, backend: Any | None = None) -> Reply:
        return self.answer_many([question], backend)[0]

    def answer_many(self, questions: Sequence[str], backend: Any | None = None) -> list[Reply]:
        """Answer each question; ``backend`` (the server's model version for this request)
        replaces the assistant's own for this call."""
        start = time.perf_counter()
        own = backend is None
        backend = self.backend if own else backend
        with self._lock:  # naming an anonymous report changes the directory
            jobs = [self._prepare(q) for q in questions]
        todo = [j for j in jobs if j.reply is None]
        asked = [j for j in todo if not j.draft.decides]  # a decided draft needs no model
        answers = self._generate([j.prompt for j in asked], backend)
        said = dict(zip(map(id, asked), answers, strict=True))
        for job in todo:
            job.reply = self._finish(job, said.get(id(job)))
            job.reply.pages = [(p.doc_id, p.page) for p in job.evidence.passages]
        elapsed = (time.perf_counter() - start) / max(len(jobs), 1)
        name = self.model_name if own else getattr(backend, "name", "model")
        for job in jobs:
            job.reply.latency_s = job.reply.latency_s or elapsed
            job.reply.model = name
        return [j.reply for j in jobs]

    def _prepare(self, question: str) -> _Job:
        query = understand(question, self.directory)
        if query.unknown_company and self._name_anonymous(query.unknown_company):
            query = understand(question, self.directory)
        job = _Job(question, query)
        gap = unanswerable(query)
        job.scope = scope_of(query, self.directory, self.facts_by_doc)
        readable = gap is None or gap.reason == "metric_not_disclosed"
        why = abstain.reason(query, job.scope, gap) if self.cfg.verifier else None
        if why is None:
            job.draft = draft(query, job.scope, self.pages.pages)
            summary = query.operation == "summary" and query.section and query.page is None
            if summary and not job.draft.facts:  # a section no summarised figure is printed in
                # the heading's page, not the contents page: the first one that has facts
                candidates = self.pages.section_pages(job.scope.doc_ids, query.section or "")
                with_facts = {f.page for f in job.scope.facts}
                query.page = next((p for p in candidates if p in with_facts), None)
                job.draft = draft(query, job.scope, self.pages.pages)
            why = abstain.missing(query, job.scope, job.draft) if self.cfg.verifier else None
        if self.cfg.verifier and self.cfg.prose and readable and (why or not job.draft.text):
            # No fact answers it: the sentences of the reports may (prose.py).
            found = prose_draft(query, job.scope, self.pages)
            if found is not None:
                job.draft, why = found, None
        if why is not None:
            job.reply = Reply(question, why, query.lang, abstained=True)
            return job
        shown = self.pages.for_question(query, job.scope, job.draft, self.cfg.top_k)
        job.evidence = Evidence(job.scope.facts, shown)
        job.prompt = messages(query.text, query.lang, job.draft, shown)
        return job

    def _name_anonymous(self, name: str) -> bool:
        """Give a report whose company `domainsft facts` could not name (a cover printed as
        an image, a report that states its name only in its logo) the name a question uses,
        when its first pages print that name or its short form; True when one was named."""
        anonymous = [c for c in self.directory.companies if not c.name]
        keys = sorted((k for k in aliases(Company(name, "", "", "en", ())) if len(k) >= 4),
                      key=len, reverse=True)  # fmt: skip
        for company in anonymous:
            for report in company.reports:
                first = [self.pages.pages.get((report.doc_id, n)) for n in range(1, 6)]
                text = f" {name_key(' '.join(p.text for p in first if p))} "
                if any(f" {k} " in text for k in keys):
                    named = dc_replace(company, name=name)
                    self.directory = Directory(
                        named if c is company else c for c in self.directory.companies
                    )
                    return True
        return False

    def _generate(self, prompts: list[list[Message]], backend: Any) -> list[Answer | None]:
        if not prompts or backend is None:
            return [None] * len(prompts)
        gen = Generation(max_new_tokens=self.cfg.max_new_tokens)
        return list(backend.generate(prompts, gen, progress=False))

    def _finish(self, job: _Job, generated: Answer | None) -> Reply:
        q, d = job.query, job.draft
        said = generated.text if generated is not None else ""
        if not self.cfg.verifier:
            reply = Reply(job.question, said, q.lang, prompt=job.prompt, model_answer=said)
            reply.generation = generated
            return reply
        checked = verify(said, job.evidence, job.question, _years(job), self.cfg.on_unverified)
        text, drafted = checked.text, False
        # A claim's verdict is a comparison of figures: the draft makes it, in Decimal.
        decided = q.operation == "claim" or d.decides
        if self.cfg.fallback and d.text and (decided or not _states_key(text, d)):
            checked = verify(d.text, job.evidence, job.question, _years(job), "flag")
            text, drafted = checked.text, True
        if checked.refused:
            return Reply(job.question, abstain.refused(q.lang), q.lang, abstained=True)
        if not text.strip():
            reply = Reply(job.question, abstain.no_answer(q.lang), q.lang, abstained=True)
            reply.prompt, reply.generation = job.prompt, generated
            return reply
        final = verify(text, job.evidence, job.question, _years(job), "flag")
        text, _ = cite.mend(text, final, job.evidence)
        listed = cite.listed(checked)
        if drafted and not listed:  # an event: the sentences quoted are its sources
            listed = cite.quoted(d, self.pages.sources)
        if drafted and not listed:  # a name or a code: the page that prints it
            listed = cite.named(d, text, self.pages.pages, self.pages.sources)
        reply = Reply(job.question, text, q.lang, listed, checked)
        reply.prompt, reply.model_answer, reply.drafted = job.prompt, said, drafted
        reply.generation = generated
        if self.cfg.guard:
            _guarded(reply, q)
        return reply


def _years(job: _Job) -> list[int]:
    if job.scope is None:
        return []
    return sorted({y for ys in job.scope.years.values() for y in ys})


def _states_key(text: str, d: Draft) -> bool:
    """Whether the answer states every figure the facts give (the draft's key figures) and
    every text fact (a name, a code: the verifier reads figures only, so an answer that names
    no legal representative would otherwise pass as it is)."""
    return (
        bool(text.strip())
        and all(present(t, text) for t in d.key)
        and all(cite.states(n, text) for n in d.names)
    )


def _guarded(reply: Reply, query: Query) -> None:
    """The compliance guard of the domain pack (``assistant.guard``)."""
    result = guard(reply.answer, reply.question, query.lang)
    reply.answer = result.text
    reply.guard = [{"rule": a.rule, "action": a.action} for a in result.actions]
    if result.blocked:
        reply.abstained = True
