"""Answers from the reports' sentences where no fact answers (``assistant/prose.py``): disclosure
events (an acquisition reported or only spoken of as a possibility, the positions that changed)
and figures printed in running text, each quoted with its page; on a copy of the sample corpus
with one page of prose written into an English report, and on the real ERC reports."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from domainsft.assistant.evidence import Evidence
from domainsft.assistant.pipeline import Assistant
from domainsft.assistant.prose import _sentences, _titles, events
from domainsft.assistant.verifier import verify
from domainsft.config import AssistantConfig
from domainsft.corpus import load_facts, read_pages
from domainsft.evidence import Passage
from domainsft.grounding import holds
from domainsft.numbers import parse_quantity

DONE = (
    "Corporate developments. On 14 March 2023 we completed the acquisition of Northwind "
    "Analytics Ltd. for cash. On 2 May 2023, the Board appointed Jane Doe as Chief Financial "
    "Officer. As of December 31, 2023, we held over 1,250 granted patents worldwide."
)
MAYBE = (
    "Corporate developments. We may pursue acquisitions of complementary businesses in the "
    "future, and any such acquisition could disrupt our business."
)


def _with_page(corpus: Path, dest: Path, text: str, lang: str = "en") -> tuple[Path, str, int]:
    """``corpus`` copied to ``dest`` with a page of ``text`` added to the latest report of a
    company of ``lang`` (a question with no year asks about it); (copy, company, page)."""
    shutil.copytree(corpus, dest)
    english = [f for f in load_facts(dest) if f.lang == lang and f.company]
    latest = max(f.report_year for f in english if f.company == english[0].company)
    fact = next(f for f in english if f.company == english[0].company and f.report_year == latest)
    pages = [p for p in read_pages(dest) if p.doc_id == fact.doc_id]
    number = max(p.page for p in pages) + 1
    rec = json.loads(json.dumps(pages[-1].__dict__, default=str))
    rec.update(page=number, text=text, tables=[], terms=[], flags=[], removed_lines=[])
    with (dest / "pages.jsonl").open("a", encoding="utf-8") as out:
        out.write(json.dumps(rec, ensure_ascii=False) + "\n")
    shutil.rmtree(dest / "retrieval", ignore_errors=True)
    return dest, fact.company, number


@pytest.fixture(scope="module")
def reported(corpus, tmp_path_factory):
    return _with_page(corpus, tmp_path_factory.mktemp("done") / "corpus", DONE)


def test_an_acquisition_the_report_states_is_a_yes_with_the_sentence_and_its_page(reported):
    corpus, company, page = reported
    reply = Assistant(corpus, None).answer(
        f"Did {company} mention any mergers or acquisitions in the annual report?"
    )
    assert reply.answer.startswith("Yes.") and "acquisition of Northwind Analytics" in reply.answer
    assert [c.page for c in reply.citations] == [page] and not reply.abstained
    assert "Northwind" in reply.citations[0].snippet


def test_an_acquisition_spoken_of_only_as_a_possibility_is_a_no(corpus, tmp_path):
    copy, company, _ = _with_page(corpus, tmp_path / "corpus", MAYBE)
    reply = Assistant(copy, None).answer(
        f"Did {company} mention any mergers or acquisitions in the annual report?"
    )
    assert reply.answer.startswith("No.") and "pages read" in reply.answer


def test_a_chinese_question_about_an_acquisition_the_report_states(corpus, tmp_path):
    text = "重要事项。报告期内，公司完成了对江苏云帆智能科技有限公司的收购，并纳入合并范围。"
    copy, company, page = _with_page(corpus, tmp_path / "corpus", text, lang="zh")
    reply = Assistant(copy, None).answer(f"{company}的年度报告是否披露了并购事项？")
    assert reply.answer.startswith("是。") and f"（第{page}页）" in reply.answer, reply.answer


def test_the_positions_that_changed_are_listed_with_their_page(reported):
    corpus, company, page = reported
    reply = Assistant(corpus, None).answer(
        f"Which leadership positions changed at {company} in the reporting period?"
    )
    assert f"Chief Financial Officer (p. {page})" in reply.answer
    assert page in [c.page for c in reply.citations]


def test_a_figure_printed_in_a_sentence_is_quoted_verified_and_on_its_page(reported):
    corpus, company, page = reported
    assistant = Assistant(corpus, None)
    reply = assistant.answer(f"What was the number of patents of {company} at year-end?")
    assert "1,250" in reply.answer and f"p. {page}" in reply.answer, reply.answer
    assert reply.verified and [c.page for c in reply.citations] == [page]
    shown = {(p.doc_id, p.page): p.text for p in read_pages(corpus)}
    stated = [n for n in reply.verification.numbers if n.printed == "1,250"]
    assert len(stated) == 2  # the answer's figure, and the same in the quoted sentence
    figure = parse_quantity("1,250")
    assert all(holds(shown[(n.source.doc_id, n.source.page)], figure) for n in stated)
    # a question whose words no sentence prints stays unanswered
    none = assistant.answer(f"What was the number of franchise stores of {company} at year-end?")
    assert "1,250" not in none.answer


def test_prose_can_be_turned_off(reported):
    corpus, company, _ = reported
    off = Assistant(corpus, None, AssistantConfig(prose=False))
    reply = off.answer(f"Did {company} mention any mergers or acquisitions in the annual report?")
    assert not reply.answer.startswith("Yes")


def test_a_quotation_is_verified_or_flagged_never_corrected():
    ev = Evidence(passages=[Passage("e" * 64, 9, "Net sales were $120.0 million in 2023.")])
    text = "The report states $120.0 million (p. 9): “Research costs were $5.2 million in 2023.”"
    v = verify(text, ev, years=[2023])
    assert v.text == text
    assert [(n.printed, n.status) for n in v.numbers] == [
        ("$120.0 million", "verified"), ("$5.2 million", "unverified"),
    ]  # fmt: skip


def test_sentences_keep_decimals_initials_and_wrapped_lines_together():
    text = (
        "We owned over 1,300 patents and\npending ones, including U.S. and foreign.\n"
        "Revenue was 2.5 million."
    )
    assert _sentences(text) == [
        "We owned over 1,300 patents and pending ones, including U.S. and foreign.",
        "Revenue was 2.5 million.",
    ]


def test_titles_are_read_whole():
    pattern = events()["leadership_changes"].titles["en"]
    window = "appointed Frank Bakker as President and Chief Executive Officer effective"
    assert _titles(window, pattern) == ["President and Chief Executive Officer"]


# ---------------------------------------------------------------------------- real reports


@pytest.mark.slow
def test_erc_questions_answered_from_facts_and_sentences_without_a_model(erc_corpus):
    """The 18 shipped ERC round-2 questions, answered with no model at all (facts, then the
    reports' sentences): value accuracy under the challenge's rules."""
    from domainsft.eval.gold import parse_gold
    from domainsft.eval.matcher import match_answer
    from domainsft.eval.suites.erc import load_erc

    items = load_erc(pages=erc_corpus / "pages.jsonl")
    questions = [it.prompt[-1]["content"].rsplit("Question:", 1)[-1].strip() for it in items]
    replies = Assistant(erc_corpus, None).answer_many(questions)
    right = [
        match_answer(r.answer, parse_gold(it.gold, it.id), "erc").verdict == "correct"
        for it, r in zip(items, replies, strict=True)
    ]
    print(f"ERC, facts and sentences alone: {sum(right)}/{len(items)}")
    assert len(items) == 18 and sum(right) >= 14
    for it, r, ok in zip(items, replies, right, strict=True):
        if ok and it.meta["kind"] in ("boolean", "names") and r.answer.startswith(("Yes", "The")):
            assert r.citations, r.answer  # a sentence found is a sentence cited
