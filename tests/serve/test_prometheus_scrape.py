"""The real Prometheus scrapes a real HTTP server's ``/metrics`` and answers what was observed.

This is the check a parser cannot make: that Prometheus accepts the exposition's content type
and names (with their colons), keeps the ``version`` and ``status`` labels as the dashboard
queries them, follows a counter as it moves, and evaluates the alert rules against the live
series without error. The app here is a minimal FastAPI one that mounts ``metrics_response``;
``domainsft serve``'s own app can take its place in ``metrics_app``.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from domainsft.serve.metrics import ServeMetrics
from tests.serve.prom import api, query, running_prometheus, wait_for

ALERTS = Path(__file__).resolve().parents[2] / "deploy" / "prometheus" / "alerts.yml"


def metrics_app(metrics: ServeMetrics) -> Any:
    from fastapi import FastAPI, Response

    app = FastAPI()

    @app.get("/metrics")
    def scrape() -> Response:
        body, content_type = metrics.exposition()
        return Response(content=body, media_type=content_type)

    return app


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """``app`` under uvicorn on a free 127.0.0.1 port, in a thread; yields host:port."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))  # handed to uvicorn: no race for the port
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test metrics server did not start")
        time.sleep(0.02)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def _value(rows: list[dict]) -> float:
    assert len(rows) == 1, rows
    return float(rows[0]["value"][1])


def test_prometheus_reads_back_what_was_observed(tmp_path: Path) -> None:
    metrics = ServeMetrics()
    for _ in range(3):
        metrics.observe_request(
            "v1", status=200, e2e_s=1.2, ttft_s=0.1, tpot_s=0.04, prompt_tokens=800
        )
    metrics.observe_request("v1", status=500, e2e_s=0.2)
    metrics.observe_request("base", status=200, e2e_s=0.9, generation_tokens=12)
    metrics.observe_answer(
        "v1",
        numbers=["verified", "unverified"],
        guard=[("no_guaranteed_returns", "rewrite")],
        abstained=False,
        citations=2,
        retrieval_pages=3,
        verified=False,
    )

    with (
        serving(metrics_app(metrics)) as target,
        running_prometheus([target], tmp_path, rule_files=[ALERTS]) as url,
    ):
        ok = 'domainsft:requests_total{version="v1",status="200"}'
        assert _value(wait_for(url, ok, timeout_s=15)) == 3.0
        assert _value(query(url, 'domainsft:requests_total{version="v1",status="500"}')) == 1.0
        assert _value(query(url, 'domainsft:generation_tokens_total{version="base"}')) == 12.0
        assert _value(query(url, 'domainsft:verifier_failures_total{version="v1"}')) == 1.0
        count = 'domainsft:e2e_request_latency_seconds_count{version="v1"}'
        assert _value(query(url, count)) == 4.0
        buckets = query(url, 'domainsft:e2e_request_latency_seconds_bucket{version="v1"}')
        assert len(buckets) == 22  # vLLM's 21 bounds and +Inf
        assert query(url, '{__name__=~"domainsft:.*_created"}') == []
        assert _value(query(url, 'up{job="domainsft-test"}')) == 1.0

        # a counter that moves is followed (the next 1 s scrape)
        metrics.observe_request("v1", status=200)
        metrics.observe_request("v1", status=200)
        assert _value(wait_for(url, f"{ok} == 5", timeout_s=10)) == 5.0

        # the alert rules load and evaluate against these series without error
        deadline = time.monotonic() + 10
        while True:
            rules = [r for g in api(url, "/api/v1/rules")["groups"] for r in g["rules"]]
            # a rule not yet evaluated reports lastEvaluation "0001-01-01T00:00:00Z"
            if rules and all(r.get("lastEvaluation", "").startswith("2") for r in rules):
                break
            if time.monotonic() > deadline:
                pytest.fail(f"the alert rules were not evaluated: {rules}")
            time.sleep(0.2)
        assert {r["name"] for r in rules} == {
            "DomainsftHighLatencyP95",
            "DomainsftHigh5xxShare",
            "DomainsftHighVerifierFailureRate",
        }
        assert [(r["name"], r.get("lastError")) for r in rules if r["health"] != "ok"] == []
