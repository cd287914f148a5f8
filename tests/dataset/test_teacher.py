"""The optional teacher model against a real OpenAI-protocol server on a local port.

The server (``openai_server.py``) is FastAPI + uvicorn; the client speaks HTTP to it. Replies
come from a tiny random model (gibberish: every reply must be rejected and counted), from a
scripted teacher (the happy path and each reject reason, deterministically), and in the slow
tier from the real default model.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from domainsft.config import DatasetConfig, JudgeConfig, TeacherConfig
from domainsft.dataset import build, teacher
from domainsft.dataset.corpus import Index, load_pages
from domainsft.models.openai_api import ChatClient, RequestFailed
from domainsft.models.openai_api import EndpointError as TeacherError
from domainsft.numbers import find_quantities
from domainsft.records import read_facts
from tests.dataset.openai_server import ServerState, free_port, model_responder, serve

MODEL = "teacher-under-test"
REASONS = {
    "request_failed",
    "unparseable_reply",
    "no_questions",
    "malformed_question",
    "placeholder",
    "wrong_page",
    "empty_answer",
    "judge_unparseable",
    "judge_score",
    "number_not_on_page",
    "duplicate",
}


def _config(out: Path, base_url: str, **teacher_kw) -> DatasetConfig:
    t = {"enabled": True, "base_url": base_url, "model": MODEL, "api_key_env": None} | teacher_kw
    # replay off: it would run the default model; these tests are about the teacher
    return DatasetConfig(out=out, replay_share=0, teacher=TeacherConfig(**t))


def _rejects(out: Path) -> list[dict]:
    lines = (out / teacher.REJECTS_FILE).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def _adds_up(s: dict) -> None:
    assert s["questions_kept"] + s["questions_rejected"] == s["questions_generated"]
    assert sum(s["question_rejects_by_reason"].values()) == s["questions_rejected"]
    assert sum(s["reply_rejects_by_reason"].values()) == s["replies_rejected"]


def _inputs(corpus: Path):
    return load_pages(corpus), Index(read_facts(corpus / "facts.jsonl"))


# ---------------------------------------------------------------------------- tiny random model


@pytest.fixture(scope="module")
def tiny_responder(tmp_path_factory: pytest.TempPathFactory):
    from domainsft.models.testing import tiny_llama

    return model_responder(tiny_llama(tmp_path_factory.mktemp("teacher_model")))


def test_gibberish_replies_are_rejected_and_counted(corpus, tmp_path, tiny_responder):
    state = ServerState(MODEL, tiny_responder)
    with serve(state) as url:
        cfg = _config(tmp_path, url, max_questions=6, questions_per_chunk=2, max_tokens=24)
        result = build(corpus, corpus / "facts.jsonl", cfg)
    s = result.stats["teacher"]
    assert s["chunks"] == 3
    assert len(state.requests) >= s["chunks"]  # every chunk went over HTTP
    assert s["requests"] == len(state.requests) + 1  # + the GET /models check
    first = state.requests[0]
    assert first["model"] == MODEL and first["max_tokens"] == 24
    assert "JSON" in first["messages"][-1]["content"]
    _adds_up(s)
    assert s["replies_rejected"] + s["questions_generated"] > 0
    rejects = _rejects(tmp_path)
    assert len(rejects) == s["replies_rejected"] + s["questions_rejected"]
    for r in rejects:
        assert r["reason"] in REASONS and r["doc_id"] and r["page"] >= 1
        assert r["level"] in ("reply", "question")
    kept = [ex for part in result.splits.values() for ex in part if ex.meta["family"] == "teacher"]
    assert len(kept) == s["questions_kept"]
    assert (tmp_path / "train.jsonl").exists()  # the rest of the dataset is built as usual


# ---------------------------------------------------------------------------- scripted teacher


def scripted(messages: list[dict[str, str]], max_tokens: int, temperature: float) -> str:
    """A deterministic teacher: one good question per chunk and one of each failure."""
    prompt = messages[-1]["content"]
    if "Is the answer fully supported" in prompt or "答案是否完全由原文支持" in prompt:
        if "low score" in prompt:
            return '{"score": 2, "reason": "partly grounded"}'
        if "judge gibberish" in prompt:
            return "I cannot say."
        return "Score: 5 - the figure is printed on the page."
    if prompt.startswith(("Context (", "参考资料")):  # drafting: answer with the quoted figure
        shown = re.search(r"shown as (\S+?)\?", prompt)
        return f"The figure is {shown.group(1)}." if shown else ""
    chunk = re.search(r'"""\n(.*)\n"""', prompt, re.S).group(1)
    page = int(next(g for g in re.search(r"page (\d+)|第(\d+)页", prompt).groups() if g))
    figure = next(q.printed for q in find_quantities(chunk) if q.is_candidate).replace(" ", "")
    items = [
        {"question": f"Which figure is shown as {figure}?", "answer": figure, "page": page},
        {"question": "Which figure is shown as 987,654,321.99?", "answer": "x", "page": page},
        {"question": f"A low score: which is shown as {figure}?", "answer": figure, "page": page},
        {"question": "Which page?", "answer": figure, "page": page + 100},
        {"question": f"A judge gibberish: shown as {figure}?", "answer": figure, "page": page},
        {"answer": "a question is missing"},
    ]
    return "Sure, here they are:\n```json\n" + json.dumps(items) + "\n```\nHope this helps."


def test_scripted_teacher_keeps_grounded_examples(corpus, tmp_path):
    state = ServerState(MODEL, scripted)
    with serve(state) as url:
        cfg = _config(tmp_path, url, max_questions=12, questions_per_chunk=6, concurrency=2)
        result = build(corpus, corpus / "facts.jsonl", cfg)
    s = result.stats["teacher"]
    n = s["chunks"]
    assert n == 2 and s["questions_generated"] == 6 * n
    _adds_up(s)
    reasons = s["question_rejects_by_reason"]
    for reason in ("number_not_on_page", "judge_score", "wrong_page", "judge_unparseable"):
        assert reasons[reason] == n, reasons
    assert reasons["malformed_question"] == n
    assert s["questions_kept"] + reasons.get("duplicate", 0) == n
    pages = load_pages(corpus)
    kept = [ex for part in result.splits.values() for ex in part if ex.meta["family"] == "teacher"]
    assert len(kept) == s["questions_kept"] >= 1
    for ex in kept:
        m = ex.meta
        assert m["is_negative"] is False and m["is_replay"] is False
        assert m["teacher_model"] == MODEL and m["judge_score"] == 5
        ((doc_id, page),) = m["pages"]
        assert m["doc_ids"] == [doc_id] and m["company"] and m["split"] in ("train", "val", "test")
        answer = ex.messages[-1]["content"]
        assert re.search(rf"p\. {page}\)|第{page}页", answer)  # cited in the house terms
        assert not teacher.numbers_off_page(answer, pages[(doc_id, page)].text)
    by_reason = {r["reason"]: r for r in _rejects(tmp_path)}
    assert "987,654,321.99" in by_reason["number_not_on_page"]["detail"]
    assert "score 2" in by_reason["judge_score"]["detail"]


def test_unparseable_and_empty_replies_do_not_stop_the_build(corpus, tmp_path):
    replies = iter(["no JSON at all", "[]", '```json\n{"questions": [}\n```'] * 3)
    state = ServerState(MODEL, lambda *_: next(replies))
    pages, index = _inputs(corpus)
    with serve(state) as url:
        cfg = _config(tmp_path, url, max_questions=3, questions_per_chunk=1, concurrency=1)
        got = teacher.distil(pages, index, cfg)
    assert got.examples == []
    assert got.stats["replies_rejected"] == 3
    assert got.stats["reply_rejects_by_reason"] == {"unparseable_reply": 2, "no_questions": 1}
    assert got.rejects[0]["detail"] == "no JSON at all"


@pytest.mark.parametrize(
    ("reply", "parsed"),
    [
        (
            '[{"question": "q", "answer": "1", "page": 3}]',
            [{"question": "q", "answer": "1", "page": 3}],
        ),
        ('```json\n[{"question": "q",},]\n```', [{"question": "q"}]),
        ('Here: {"questions": [{"question": "q"}]} done', [{"question": "q"}]),
        ('{"question": "q", "page": "p. 3"}', [{"question": "q", "page": "p. 3"}]),
        ("garbage [ not json", None),
    ],
)
def test_parse_questions_tolerates_fences_and_prose(reply, parsed):
    assert teacher.parse_questions(reply) == parsed


@pytest.mark.parametrize(
    ("reply", "score"),
    [('{"score": 4, "reason": "ok"}', 4), ("```\n{\"score\": \"5\"}\n```", 5), ("Score: 3", 3),
     ('{"score": 9}', None), ("looks fine", None)],
)  # fmt: skip
def test_parse_score(reply, score):
    assert teacher.parse_score(reply) == score


def test_numbers_must_be_printed_in_the_chunk():
    source = "单位：万元\n营业收入 587,220.97 512,004.10\n净利润增长12.5%，员工3,210人。"
    assert teacher.numbers_off_page("营业收入为587,220.97万元，增长12.5%。", source) == []
    assert teacher.numbers_off_page("员工共3210人，见第5页，2023年。", source) == []
    assert teacher.numbers_off_page("营业收入为600,000.00万元。", source) == ["600,000.00万元"]


# ---------------------------------------------------------------------------- HTTP behaviour


def test_connection_refused_names_the_url_and_the_fix(corpus, tmp_path):
    url = f"http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(TeacherError, match=r"connection refused.*base_url") as err:
        build(corpus, corpus / "facts.jsonl", _config(tmp_path, url))
    assert f"{url}/models" in str(err.value)
    assert not (tmp_path / "train.jsonl").exists()  # nothing written


def test_missing_api_key_names_the_variable(corpus, tmp_path, monkeypatch):
    monkeypatch.delenv("DOMAINSFT_TEST_TEACHER_KEY", raising=False)
    pages, index = _inputs(corpus)
    with serve(ServerState(MODEL, scripted, api_key="sk-test")) as url:
        cfg = _config(tmp_path, url, api_key_env="DOMAINSFT_TEST_TEACHER_KEY")
        with pytest.raises(TeacherError, match=r"401.*\$DOMAINSFT_TEST_TEACHER_KEY is not set"):
            teacher.distil(pages, index, cfg)
        monkeypatch.setenv("DOMAINSFT_TEST_TEACHER_KEY", "sk-test")
        cfg.teacher.max_questions = 1
        assert teacher.distil(pages, index, cfg).stats["questions_generated"] == 1


def test_unknown_model_lists_the_served_ones(corpus, tmp_path):
    pages, index = _inputs(corpus)
    with serve(ServerState(MODEL, scripted)) as url:
        cfg = _config(tmp_path, url, model="gpt-nonexistent")
        with pytest.raises(TeacherError, match=rf"no model 'gpt-nonexistent'.*{MODEL}"):
            teacher.distil(pages, index, cfg)


def test_wrong_path_is_a_clear_404(corpus, tmp_path):
    with serve(ServerState(MODEL, scripted)) as url:
        client = ChatClient(url.removesuffix("/v1"))
        with pytest.raises(TeacherError, match=r"404.*ends in /v1"):
            client.chat(MODEL, [{"role": "user", "content": "hi"}], temperature=0, max_tokens=4)


def test_503_is_retried_then_served():
    state = ServerState(MODEL, lambda *_: "pong", fail_first=2)
    with serve(state) as url:
        client = ChatClient(url, max_retries=3, backoff_s=0.01)
        msg = [{"role": "user", "content": "ping"}]
        assert client.chat(MODEL, msg, temperature=0, max_tokens=4) == "pong"
    assert client.requests == 3 and len(state.requests) == 3


def test_timeouts_are_retried_then_counted_not_fatal():
    state = ServerState(MODEL, lambda *_: "late", delay_s=0.5)
    with serve(state) as url:
        client = ChatClient(url, timeout_s=0.1, max_retries=1, backoff_s=0.01)
        start = time.monotonic()
        with pytest.raises(RequestFailed, match=r"no reply within 0.1 s.*2 attempts"):
            client.chat(MODEL, [{"role": "user", "content": "x"}], temperature=0, max_tokens=4)
        assert time.monotonic() - start < 5


def test_teacher_needs_a_model_name():
    with pytest.raises(ValueError, match=r"dataset\.teacher\.model"):
        TeacherConfig(enabled=True)
    assert DatasetConfig().teacher.enabled is False  # off by default
    assert JudgeConfig().model is None  # the judge defaults to the teacher's model


# ---------------------------------------------------------------------------- real model


@pytest.mark.slow
def test_default_model_as_teacher_end_to_end(corpus, tmp_path):
    """SmolLM2-135M-Instruct (~15-20 tokens/s on a CPU) behind the server: one chunk, two
    questions and the judge, then the judge alone on a grounded pair made from a fact. A 135M
    model seldom writes usable JSON, so the test asserts the bookkeeping and the number check,
    not a yield."""
    state = ServerState(MODEL, model_responder("default"))
    pages, index = _inputs(corpus)
    with serve(state) as url:
        cfg = _config(
            tmp_path, url, max_questions=2, questions_per_chunk=2, max_tokens=96,
            chunk_chars=600, temperature=0, draft_answers=False, judge=JudgeConfig(min_score=3),
        )  # fmt: skip
        start = time.monotonic()
        got = teacher.distil(pages, index, cfg)
        seconds = time.monotonic() - start
        score = _judge_a_grounded_pair(url, pages, index)
    got.write_rejects(tmp_path)
    s = got.stats
    print(f"teacher stats: {json.dumps(s)} in {seconds:.1f} s; judge on a fact: {score}")
    assert s["chunks"] == 1 and len(state.requests) >= 2
    _adds_up(s)
    assert len(_rejects(tmp_path)) == s["replies_rejected"] + s["questions_rejected"]
    for ex in got.examples:
        ((doc_id, page),) = ex.meta["pages"]
        answer = ex.messages[-1]["content"]
        assert not teacher.numbers_off_page(answer, pages[(doc_id, page)].text), answer
    assert score is None or 1 <= score <= 5


def _judge_a_grounded_pair(url: str, pages: dict, index: Index) -> float | None:
    f = next(f for f in index.best.values() if f.lang == "en" and f.unit != "text")
    text = pages[(f.doc_id, f.page)].text
    at = text.index(f.printed)
    chunk = teacher.Chunk(index.reports[f.doc_id], f.page, 0, text[max(at - 300, 0) : at + 300])
    question = f"What was the {f.label} of {f.company} for {f.fiscal_year}?"
    messages = teacher.judge_prompt(chunk, question, f"{f.printed} (p. {f.page})")
    reply = ChatClient(url).chat(MODEL, messages, temperature=0, max_tokens=48)
    return teacher.parse_score(reply)
