"""``domainsft serve`` over HTTP: the official ``openai`` client (stream and not) gets grounded
answers whose citations point at pages that print the figures; versions chosen per request;
shadow traffic recorded and not returned; OpenAI-shaped errors (400/401/404/413/429); feedback
logged with its evidence; a client that leaves mid-stream frees its batch slot; the injected
page changes nothing; a real Prometheus scrapes the real app."""

from __future__ import annotations

import http.client
import json
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from domainsft.corpus import load_facts, page_text, read_pages
from tests.assistant.inject import poisoned_copy
from tests.serve.conftest import make_server, serving

openai = pytest.importorskip("openai")
KEY = "test-key-123"


def _revenue_question(corpus: Path) -> tuple[str, Any]:
    facts = [f for f in load_facts(corpus) if f.metric == "revenue" and f.lang == "zh"]
    f = next(x for x in facts if x.fiscal_year == x.report_year and x.scope != "parent")
    return f"{f.company_short}{f.fiscal_year}年的营业收入是多少？", f


@pytest.fixture(scope="module")
def live(tiny_with_adapters, corpus, tmp_path_factory, monkeypatch_module):
    base, v1, v2 = tiny_with_adapters
    logs = tmp_path_factory.mktemp("serve-logs")
    monkeypatch_module.setenv("DOMAINSFT_API_KEY", KEY)
    server = make_server(base, corpus, {"v1": v1, "v2": v2}, log_dir=logs,
                         weights={"base": 1.0}, shadow={"v2": 1.0},
                         prefix_cache_mb=64)  # fmt: skip
    with serving(server) as url:
        yield url, server, logs


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


def _client(url: str, key: str = KEY) -> Any:
    return openai.OpenAI(base_url=f"{url}/v1", api_key=key, max_retries=0, timeout=120)


def _post(url: str, path: str, body: Any, key: str | None = KEY, raw: bytes | None = None):
    data = raw if raw is not None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    req = urllib.request.Request(f"{url}{path}", data=data, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=120) as resp:
            return resp.status, json.loads(resp.read()), resp.headers
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read()), exc.headers


def _pages(corpus: Path) -> dict[tuple[str, int], str]:
    return {(p.doc_id, p.page): page_text(p) for p in read_pages(corpus)}


def test_openai_client_gets_a_grounded_answer_with_citations_that_hold(live, corpus):
    url, _, _ = live
    question, fact = _revenue_question(corpus)
    reply = _client(url).chat.completions.create(
        model="domainsft", messages=[{"role": "user", "content": question}]
    )
    extra = reply.model_extra
    assert reply.choices[0].message.content
    assert extra["version"] == "base" and extra["verified"] and not extra["abstained"]
    assert extra["citations"] and extra["citations"][0]["page"] == fact.page
    pages = _pages(corpus)
    for cite in extra["citations"]:  # each citation's page prints its line and the figure
        page = pages[(fact.doc_id, cite["page"])]
        assert cite["snippet"] and " ".join(cite["snippet"].split()) in " ".join(page.split())
    assert fact.printed in extra["citations"][0]["snippet"]
    verified = [n for n in extra["numbers"] if n["status"] == "verified"]
    assert verified and {n["page"] for n in verified} <= {c["page"] for c in extra["citations"]}
    assert reply.usage.prompt_tokens > 0


def test_openai_stream_gives_the_same_answer_and_the_extras_last(live, corpus):
    url, _, _ = live
    question, _ = _revenue_question(corpus)
    client = _client(url)
    whole = client.chat.completions.create(
        model="domainsft", messages=[{"role": "user", "content": question}]
    )
    chunks = list(client.chat.completions.create(
        model="domainsft", messages=[{"role": "user", "content": question}], stream=True,
        stream_options={"include_usage": True},
    ))  # fmt: skip
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == whole.choices[0].message.content
    last = next(c for c in reversed(chunks) if c.choices and c.choices[0].finish_reason)
    assert last.model_extra["citations"] == whole.model_extra["citations"]
    assert chunks[-1].usage is not None and chunks[-1].usage.total_tokens > 0
    # the same grounded prompt a second time: all of it but the last token came from the
    # prefix cache, which changed no token of the answer (asserted above), and the metrics
    # count it under the version that answered
    usage = chunks[-1].usage
    assert usage.prompt_tokens_details.cached_tokens == usage.prompt_tokens - 1
    assert whole.usage.prompt_tokens_details is not None
    metrics = live[1].metrics
    assert metrics.value("domainsft:prefix_cache_hits_total", version="base") >= (
        usage.prompt_tokens - 1
    )
    assert metrics.value("domainsft:prefix_cache_queries_total", version="base") > (
        metrics.value("domainsft:prefix_cache_hits_total", version="base")
    )


def _plain(client: Any, model: str, stream: bool = False) -> str:
    kw = {"extra_body": {"domainsft": {"grounding": False}}, "max_tokens": 12}
    msgs = [{"role": "user", "content": "What was revenue in 2023?"}]
    if not stream:
        reply = client.chat.completions.create(model=model, messages=msgs, **kw)
        return reply.choices[0].message.content
    parts = client.chat.completions.create(model=model, messages=msgs, stream=True, **kw)
    return "".join(c.choices[0].delta.content or "" for c in parts if c.choices)


def test_each_request_chooses_its_version_and_plain_streams_token_by_token(
    live, tiny_with_adapters
):
    """base, v1 and v2 answer as themselves (one engine, one base, mixed adapters), streamed
    or not; the plain model (grounding off) is exactly what the engine's generate gives."""
    import peft

    from domainsft.models import generate, load_model

    url, _, _ = live
    client = _client(url)
    got = {v: _plain(client, v) for v in ("base", "v1", "v2")}
    assert len(set(got.values())) == 3, got  # the adapters change the answer
    for v in ("base", "v1"):
        assert _plain(client, v, stream=True) == got[v]
    base_dir, v1_dir, _ = tiny_with_adapters
    model, tok = load_model(base_dir, trainable=False)
    msgs = [{"role": "user", "content": "What was revenue in 2023?"}]
    alone = generate(model, tok, [msgs], max_new_tokens=12, autocast=False, progress=False)
    assert alone[0].text == got["base"]
    tuned = peft.PeftModel.from_pretrained(model, v1_dir).eval()
    alone = generate(tuned, tok, [msgs], max_new_tokens=12, autocast=False, progress=False)
    assert alone[0].text == got["v1"]


def test_models_lists_the_served_name_and_every_version(live):
    url, _, _ = live
    ids = [m.id for m in _client(url).models.list()]
    assert ids == ["domainsft", "base", "v1", "v2"]


def test_shadow_traffic_is_recorded_and_never_returned(live, corpus):
    url, server, logs = live
    question, _ = _revenue_question(corpus)
    reply = _client(url).chat.completions.create(
        model="domainsft", messages=[{"role": "user", "content": question}], user="alice"
    )
    assert reply.model_extra["version"] == "base"
    deadline = time.monotonic() + 60
    shadow = logs / "shadow.jsonl"
    while time.monotonic() < deadline and not shadow.exists():
        time.sleep(0.1)
    time.sleep(0.5)
    records = [json.loads(x) for x in shadow.read_text(encoding="utf-8").splitlines()]
    assert records and all(r["version"] == "v2" for r in records)
    assert any(question in json.dumps(r["messages"], ensure_ascii=False) for r in records)
    assert server.metrics.value("domainsft:shadow_requests_total", version="v2") >= 1


def test_errors_have_openais_shape_and_status(live, tiny_with_adapters, corpus):
    url, _, _ = live
    good = {"model": "domainsft", "messages": [{"role": "user", "content": "hi"}]}
    status, body, _ = _post(url, "/v1/chat/completions", None, raw=b"{not json")
    assert status == 400 and body["error"]["code"] == "invalid_json"
    status, body, _ = _post(url, "/v1/chat/completions", {"model": "domainsft"})
    assert status == 400 and body["error"]["param"] == "messages"
    status, body, _ = _post(url, "/v1/chat/completions", good, key=None)
    assert status == 401 and body["error"]["type"] == "authentication_error"
    status, body, _ = _post(url, "/v1/chat/completions", good, key="wrong")
    assert status == 401
    status, body, _ = _post(url, "/v1/chat/completions", good | {"model": "gpt-9"})
    assert status == 404 and body["error"]["code"] == "model_not_found"
    # an oversized body is refused on its Content-Length, before it is read
    conn = http.client.HTTPConnection(url.removeprefix("http://"), timeout=30)
    conn.putrequest("POST", "/v1/chat/completions")
    for k, v in {"Content-Type": "application/json", "Content-Length": "2000000",
                 "Authorization": f"Bearer {KEY}"}.items():  # fmt: skip
        conn.putheader(k, v)
    conn.endheaders()
    resp = conn.getresponse()
    assert resp.status == 413 and json.loads(resp.read())["error"]["code"] == "request_too_large"
    conn.close()
    long = good | {"messages": [{"role": "user", "content": "revenue " * 5000}]}
    status, body, _ = _post(url, "/v1/chat/completions", long)
    assert status == 413 and body["error"]["code"] == "context_length_exceeded"
    assert "Traceback" not in json.dumps(body)
    with pytest.raises(openai.NotFoundError):
        _client(url).chat.completions.create(model="nope", messages=good["messages"])
    with pytest.raises(openai.AuthenticationError):
        _client(url, key="bad").models.list()


def test_rate_limit_answers_429_with_retry_after(tiny_with_adapters, corpus, tmp_path):
    base, _, _ = tiny_with_adapters
    server = make_server(base, None, {}, log_dir=tmp_path, rate_limit_rpm=2, api_key_env=None)
    body = {"model": "base", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 2}
    with serving(server) as url:
        codes = [_post(url, "/v1/chat/completions", body, key=None) for _ in range(3)]
    assert [c[0] for c in codes] == [200, 200, 429]
    assert int(codes[2][2]["Retry-After"]) >= 1
    assert codes[2][1]["error"]["type"] == "rate_limit_error"


def test_feedback_is_logged_with_the_answer_and_its_evidence(live, corpus):
    url, _, logs = live
    question, _ = _revenue_question(corpus)
    reply = _client(url).chat.completions.create(
        model="domainsft", messages=[{"role": "user", "content": question}]
    )
    fixed = "营业收入为 1.00 亿元（第3页）。"
    feedback = {"response_id": reply.id, "rating": -1, "correction": fixed}
    status, body, _ = _post(url, "/v1/feedback", feedback)
    assert status == 200, body
    rows = [json.loads(x) for x in (logs / "feedback.jsonl").read_text("utf-8").splitlines()]
    row = next(r for r in rows if r["response_id"] == reply.id)
    assert row["question"] == question and row["correction"] == fixed and row["rating"] == -1
    assert row["answer"] == reply.choices[0].message.content
    assert row["version"] == "base" and row["citations"]
    assert "<<<年报摘录开始>>>" in row["prompt"][1]["content"]  # the evidence the model saw
    status, body, _ = _post(url, "/v1/feedback", {"response_id": "chatcmpl-nope", "rating": 1})
    assert status == 404


def test_a_client_that_leaves_mid_stream_frees_its_slot(live):
    url, server, _ = live
    body = {"model": "base", "messages": [{"role": "user", "content": "Tell me everything."}],
            "stream": True, "max_tokens": 5000, "domainsft": {"grounding": False}}  # fmt: skip
    req = urllib.request.Request(
        f"{url}/v1/chat/completions", data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {KEY}"},
    )  # fmt: skip
    resp = urllib.request.urlopen(req, timeout=60)
    for _ in range(4):
        assert resp.readline() is not None
    running = server.versions.engine.load()[0]
    resp.close()  # the client goes away
    deadline = time.monotonic() + 30
    while server.versions.engine.load()[0] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert running == 1 and server.versions.engine.load() == (0, 0)


def test_health_and_metrics(live):
    url, _, _ = live
    with urllib.request.urlopen(f"{url}/health", timeout=30) as resp:
        health = json.loads(resp.read())
    assert health["status"] == "ok" and health["versions"] == ["base", "v1", "v2"]
    with urllib.request.urlopen(f"{url}/metrics", timeout=30) as resp:
        text = resp.read().decode()
    assert 'domainsft:requests_total{status="200",version="base"}' in text
    assert "domainsft:verifier_numbers_total" in text


def test_an_injected_page_changes_nothing_through_the_api(tiny_with_adapters, corpus, tmp_path):
    base, _, _ = tiny_with_adapters
    question, f = _revenue_question(corpus)
    poisoned = poisoned_copy(corpus, f, tmp_path / "corpus")
    answers = []
    for c in (corpus, poisoned):
        server = make_server(base, c, {}, log_dir=tmp_path, api_key_env=None)
        with serving(server) as url:
            reply = _client(url, key="none").chat.completions.create(
                model="domainsft", messages=[{"role": "user", "content": question}]
            )
        answers.append((reply.choices[0].message.content, reply.model_extra["verified"]))
    assert answers[0] == answers[1] and answers[1][1]
    assert "1元" not in answers[1][0]


def test_a_real_prometheus_scrapes_the_real_app(live, tmp_path):
    from tests.serve.prom import running_prometheus, wait_for

    url, server, _ = live
    host = url.removeprefix("http://")
    served = server.metrics.value("domainsft:requests_total", version="base", status="200")
    assert served >= 1
    with running_prometheus([host], tmp_path) as prom:
        result = wait_for(prom, 'domainsft:requests_total{version="base",status="200"}', 30)
    assert float(result[0]["value"][1]) >= served


def test_admin_commands_steer_the_canary(live, monkeypatch):
    """`domainsft serve weights|promote|rollback|status` against the running server."""
    from typer.testing import CliRunner

    from domainsft.cli import app

    url, server, _ = live
    runner = CliRunner()
    monkeypatch.setenv("DOMAINSFT_API_KEY", KEY)
    try:
        res = runner.invoke(app, ["serve", "weights", "base=0.5,v1=0.5", "--url", url])
        assert res.exit_code == 0, res.output
        assert server.router.weights == {"base": 0.5, "v1": 0.5}
        res = runner.invoke(app, ["serve", "promote", "v1", "--url", url])
        assert res.exit_code == 0 and server.router.weights == {"v1": 1.0}
        res = runner.invoke(app, ["serve", "rollback", "v1", "--url", url])
        assert res.exit_code == 0 and server.router.weights == {"base": 1.0}
        res = runner.invoke(app, ["serve", "status", "--url", url])
        assert res.exit_code == 0 and "stable: base" in res.output and "rollback" in res.output
        res = runner.invoke(app, ["serve", "promote", "v9", "--url", url])
        assert res.exit_code == 2 and "no version 'v9'" in res.output
        monkeypatch.setenv("DOMAINSFT_API_KEY", "wrong")
        res = runner.invoke(app, ["serve", "status", "--url", url])
        assert res.exit_code == 2 and "401" in res.output
    finally:
        server.router.set_weights({"base": 1.0})


def test_failing_candidate_is_rolled_back_and_counted(live):
    """5xx answers of a weighted candidate take it off traffic by themselves, and the rollback
    shows in the metrics the alert rules read."""
    _, server, _ = live
    server.router.set_weights({"base": 0.5, "v1": 0.5})
    before = server.metrics.value("domainsft:rollbacks_total", version="v1")
    try:
        for _ in range(server.router.min_requests):
            server.finished("v1", 500, time.monotonic(), None)
        assert server.router.weights == {"base": 1.0}
        assert server.metrics.value("domainsft:rollbacks_total", version="v1") == before + 1
        assert server.router.history[-1].action == "auto-rollback"
    finally:
        server.router.set_weights({"base": 1.0})


def _long_plain(url: str, results: list, tokens: int = 400) -> None:
    body = {"model": "base", "messages": [{"role": "user", "content": "Tell me everything."}],
            "max_tokens": tokens, "ignore_eos": True,
            "domainsft": {"grounding": False}}  # fmt: skip
    results.append(_post(url, "/v1/chat/completions", body, key=None))


def test_a_full_queue_answers_429_and_a_slow_answer_504(tiny_with_adapters, tmp_path):
    import threading

    base, _, _ = tiny_with_adapters
    server = make_server(base, None, {}, log_dir=tmp_path, api_key_env=None, max_batch=1,
                         max_waiting=1)  # fmt: skip
    with serving(server) as url:
        results: list = []
        threads = [threading.Thread(target=_long_plain, args=(url, results)) for _ in range(4)]
        for t in threads:
            t.start()
            time.sleep(0.2)
        for t in threads:
            t.join(120)
    codes = sorted(r[0] for r in results)
    assert codes.count(200) >= 2 and 429 in codes, codes
    busy = next(r for r in results if r[0] == 429)
    assert busy[1]["error"]["code"] == "queue_full" and busy[2]["Retry-After"] == "1"

    server = make_server(base, None, {}, log_dir=tmp_path, api_key_env=None,
                         request_timeout_s=0.3)  # fmt: skip
    with serving(server) as url:
        results = []
        _long_plain(url, results, tokens=20_000)
        assert results[0][0] == 504 and results[0][1]["error"]["type"] == "timeout_error"
        deadline = time.monotonic() + 30  # the timed-out request's slot is freed
        while server.versions.engine.load() != (0, 0) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.versions.engine.load() == (0, 0)


def test_shutdown_lets_in_flight_requests_finish(tiny_with_adapters, tmp_path):
    import threading

    base, _, _ = tiny_with_adapters
    server = make_server(base, None, {}, log_dir=tmp_path, api_key_env=None)
    results: list = []
    with serving(server) as url:
        t = threading.Thread(target=_long_plain, args=(url, results))
        t.start()
        deadline = time.monotonic() + 30
        while server.versions.engine.load()[0] == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
    # serving() has asked uvicorn to exit: the request in flight still gets its whole answer
    t.join(120)
    assert results and results[0][0] == 200
    assert results[0][1]["usage"]["completion_tokens"] == 400


def test_completions_endpoint_stream_and_not(live, tiny_with_adapters):
    """POST /v1/completions: a raw prompt, no chat template, as `generate` completes it."""
    from domainsft.models import generate, load_model

    url, _, _ = live
    client = _client(url)
    whole = client.completions.create(model="base", prompt="The company reported", max_tokens=8)
    parts = client.completions.create(model="base", prompt="The company reported", max_tokens=8,
                                      stream=True)  # fmt: skip
    streamed = "".join(c.choices[0].text for c in parts if c.choices)
    model, tok = load_model(tiny_with_adapters[0], trainable=False)
    alone = generate(model, tok, ["The company reported"], max_new_tokens=8, autocast=False,
                     progress=False)  # fmt: skip
    assert whole.object == "text_completion" and whole.choices[0].text == alone[0].text
    assert streamed == alone[0].text
    assert whole.usage.completion_tokens == alone[0].n_new_tokens
