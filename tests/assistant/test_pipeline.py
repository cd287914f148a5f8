"""The answer pipeline end to end on a sample corpus with a tiny random model: abstention,
drafted and verified figures with citations that hold them, an injected page that changes
nothing, `ask --json`'s exact shape and `verify`'s exit codes."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from domainsft.assistant.pipeline import Assistant
from domainsft.cli import app
from domainsft.config import AssistantConfig
from domainsft.corpus import load_facts, page_text, read_pages
from domainsft.grounding import holds
from domainsft.models.backends import LocalBackend
from domainsft.numbers import as_printed
from tests.assistant.inject import poisoned_copy

runner = CliRunner()
KEYS = {"answer", "citations", "verified", "numbers", "guard", "abstained", "model", "latency_s"}


@pytest.fixture(scope="module")
def assistant(corpus, tmp_path_factory):
    from domainsft.models.testing import tiny_llama

    model = tiny_llama(tmp_path_factory.mktemp("tiny"), vocab_from="bpe")
    backend = LocalBackend(str(model), None, batch_size=4, dtype="float32")
    return Assistant(corpus, backend, AssistantConfig(max_new_tokens=12))


def _revenue_fact(corpus: Path):
    facts = [f for f in load_facts(corpus) if f.metric == "revenue" and f.lang == "zh"]
    return next(f for f in facts if f.fiscal_year == f.report_year and f.scope != "parent")


def test_a_lookup_is_answered_with_the_reports_figure_and_a_page_that_holds_it(assistant, corpus):
    f = _revenue_fact(corpus)
    reply = assistant.answer(f"{f.company_short}{f.fiscal_year}年的营业收入是多少？")
    assert not reply.abstained and reply.verified, reply.answer
    assert any(
        n.status == "verified" and n.value == abs(n.value) for n in reply.verification.numbers
    )
    pages = {(p.doc_id, p.page): page_text(p) for p in read_pages(corpus)}
    figure = next(n for n in reply.verification.numbers if n.status == "verified")
    assert holds(pages[(figure.source.doc_id, figure.source.page)], _q(figure))
    assert reply.citations and reply.citations[0].page == f.page
    assert reply.prompt[1]["content"].count("<<<年报摘录开始>>>") == 1


def _q(n):
    from domainsft.numbers import parse_quantity

    return parse_quantity(n.printed.strip())


@pytest.mark.parametrize(
    ("question", "expect"),
    [
        ("贵州茅台集团2023年的营业收入是多少？", "没有"),
        ("What was Acme Widgets Corporation's revenue in FY2023?", "no annual report"),
    ],
)
def test_unknown_companies_get_an_abstention_in_the_questions_language(assistant, question, expect):
    reply = assistant.answer(question)
    assert reply.abstained and expect in reply.answer and not reply.verification


def test_a_year_no_report_covers_is_not_answered(assistant, corpus):
    f = _revenue_fact(corpus)
    reply = assistant.answer(f"{f.company_short}2009年的营业收入是多少？")
    assert reply.abstained and "2009" in reply.answer


def test_an_injected_page_changes_nothing(assistant, corpus, tmp_path):
    f = _revenue_fact(corpus)
    question = f"{f.company_short}{f.fiscal_year}年的营业收入是多少？"
    clean = assistant.answer(question)
    poisoned = poisoned_copy(corpus, f, tmp_path / "corpus")
    attacked = Assistant(poisoned, assistant.backend, assistant.cfg).answer(question)
    assert attacked.answer == clean.answer and attacked.verified
    user = attacked.prompt[1]["content"]
    body = user.split("<<<年报摘录开始>>>", 1)[1]
    assert "忽略之前的所有指令" in body.split("<<<年报摘录结束>>>")[0]  # only ever inside the data
    assert user.count("<<<年报摘录结束>>>") == 1


def test_ask_json_has_exactly_the_documented_keys(corpus):
    f = _revenue_fact(corpus)
    res = runner.invoke(app, ["ask", "--corpus", str(corpus), "--draft-only", "--json",
                              f"{f.company_short}{f.fiscal_year}年的营业收入是多少？"])  # fmt: skip
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert set(out) == KEYS and out["verified"] and out["citations"][0]["page"] == f.page
    assert set(out["numbers"][0]) == {"value", "unit", "status", "page", "original"}


def test_verify_exit_codes_and_a_corpus_without_facts(corpus, tmp_path):
    f = _revenue_fact(corpus)
    value = as_printed(f.value, f.unit, f.scale, f.printed, "zh")  # 8,689百万元
    right = f"{f.company_short}{f.fiscal_year}年营业收入为{value}（第{f.page}页）。"
    assert runner.invoke(app, ["verify", "--corpus", str(corpus), "--answer", right]).exit_code == 0
    wrong = right.replace(value, "1.00亿元")
    res = runner.invoke(app, ["verify", "--corpus", str(corpus), "--answer", wrong, "--json"])
    assert res.exit_code == 1 and not json.loads(res.stdout)["verified"]
    bare = tmp_path / "bare"
    bare.mkdir()
    shutil.copy(corpus / "pages.jsonl", bare / "pages.jsonl")
    res = runner.invoke(app, ["ask", "--corpus", str(bare), "--draft-only", "营业收入是多少？"])
    assert res.exit_code == 2 and "domainsft facts" in res.output


def test_the_prompt_shows_the_facts_page_then_retrieved_pages_of_the_same_company(corpus):
    f = _revenue_fact(corpus)
    question = f"{f.company_short}{f.fiscal_year}年的营业收入是多少？"
    shown = Assistant(corpus, None, AssistantConfig(top_k=3))
    job = shown._prepare(question)
    pages = [(p.doc_id, p.page) for p in job.evidence.passages]
    fact_pages = list(dict.fromkeys((x.doc_id, x.page) for x in job.draft.facts))
    assert fact_pages and pages[: len(fact_pages)] == fact_pages
    assert len(pages) == max(3, len(fact_pages))
    assert {doc for doc, _ in pages} <= set(job.scope.doc_ids)
    # the retrieved pages are the kernel's best for the question within the company's reports
    found = shown.pages.retrieve(question, job.scope, 3)
    extra = [k for k in found if k not in fact_pages][: 3 - len(fact_pages)]
    assert extra == pages[len(fact_pages) :]
    alone = Assistant(corpus, None, AssistantConfig(top_k=0))._prepare(question)
    assert [(p.doc_id, p.page) for p in alone.evidence.passages] == fact_pages


def test_retrieval_alone_finds_a_page_that_prints_the_asked_figure(corpus):
    """Without the draft's fact pages, the search for the question within the company's reports
    ranks a page printing the figure among its top 3."""
    f = _revenue_fact(corpus)
    store = Assistant(corpus, None).pages
    job = Assistant(corpus, None)._prepare(f"{f.company_short}{f.fiscal_year}年的营业收入是多少？")
    top = store.retrieve(f"{f.company_short}{f.fiscal_year}年营业收入", job.scope, 3)
    assert (f.doc_id, f.page) in top or any(
        holds(page_text(store.pages[k]), _q_fact(f)) for k in top
    )


def _q_fact(f):
    from domainsft.numbers import parse_quantity

    return parse_quantity(f.printed)


def test_a_report_facts_could_not_name_takes_the_name_its_first_pages_print(corpus, tmp_path):
    f = _revenue_fact(corpus)
    blank = tmp_path / "corpus"
    shutil.copytree(corpus, blank)
    out = []
    for line in (blank / "facts.jsonl").read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        if rec["company"] == f.company:  # as if identity extraction had failed
            rec.update(company="", company_short="", stock_code="", report_year=0)
        out.append(json.dumps(rec, ensure_ascii=False))
    (blank / "facts.jsonl").write_text("\n".join(out) + "\n", encoding="utf-8")
    assistant = Assistant(blank, None)
    reply = assistant.answer(f"{f.company}{f.fiscal_year}年的营业收入是多少？")
    assert not reply.abstained and reply.verified, reply.answer
    assert reply.citations and reply.citations[0].page == f.page
    assert f.company in [c.name for c in assistant.directory.companies]
    # a company no report prints stays unknown
    other = assistant.answer(f"贵州茅台集团股份有限公司{f.fiscal_year}年的营业收入是多少？")
    assert other.abstained and "没有" in other.answer


def test_every_summary_question_of_the_dataset_is_drafted_with_the_figures_its_gold_lists(
    corpus, built
):
    """A section summary quotes a heading as the page numbers it ("五、利润表及现金流量表相关
    科目变动分析") or the name of a table carried over from the page before, often with no page;
    the draft finds the section the dataset's gold was built from (one sections kernel), so the
    pipeline without a model answers each with every figure the gold lists."""
    from domainsft.domains.finance.assistant import bare_question
    from domainsft.eval.items import PageTexts, items_from_examples
    from domainsft.eval.metrics import MetricEnv, score_item

    _, out = built
    every = [it for s in ("train", "val", "test") for it in items_from_examples(out / f"{s}.jsonl")]
    items = [it for it in every if it.family == "summary"]
    assert len(items) >= 8
    asked = [bare_question(it.prompt[-1]["content"]) for it in items]
    assert any("页" not in q and re.search(r"[\u4e00-\u9fff]", q) for q in asked)  # no page named
    drafts = Assistant(corpus, None, AssistantConfig())
    env = MetricEnv(pages=PageTexts.load(corpus))
    for it in items:
        question = it.prompt[-1]["content"]
        reply = drafts.answer(question)
        assert reply.drafted and not reply.abstained, (question, reply.answer)
        scores = score_item(it, reply.answer, env, ["key_number_accuracy"])
        assert scores["key_number_accuracy"] == 1.0, (question, reply.answer, it.reference)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_name_the_answer_does_not_state_falls_back_to_the_facts(assistant, corpus, lang):
    """The verifier reads figures only: an answer to "who is the legal representative" that
    names nobody (the tiny random model's) used to pass as it was. It now needs the name the
    facts give, else the facts' draft answers, with the page."""
    f = next(
        x for x in load_facts(corpus)
        if x.metric == "legal_representative" and x.lang == lang and x.unit == "text"
        and x.fiscal_year == x.report_year
    )  # fmt: skip
    name = f.company_short or f.company
    question = (
        f"{name}{f.fiscal_year}年的法定代表人是谁？"
        if lang == "zh"
        else f"Who was the legal representative of {name} in FY{f.fiscal_year}?"
    )
    reply = assistant.answer(question)
    assert f.value not in reply.model_answer  # the model named nobody
    assert f.value in reply.answer and reply.drafted, reply.answer
    assert reply.citations and reply.citations[0].page == f.page
    assert f.value in reply.citations[0].snippet  # the page's line that prints the name
