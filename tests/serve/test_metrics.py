"""ServeMetrics: each observation moves exactly its own samples, the exposition is what
Prometheus parses (with the exported names the dashboard and alerts are checked against),
instances share nothing, and bad calls fail loudly instead of recording nonsense."""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from domainsft.serve.metrics import (
    E2E_BUCKETS,
    TTFT_BUCKETS,
    VERIFIER_STATUSES,
    ServeMetrics,
)

Key = tuple[str, tuple[tuple[str, str], ...]]


def samples(metrics: ServeMetrics) -> dict[Key, float]:
    """Every sample of the exposition, as Prometheus would read it."""
    body, _ = metrics.exposition()
    out: dict[Key, float] = {}
    for family in text_string_to_metric_families(body.decode("utf-8")):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def changed(before: dict[Key, float], after: dict[Key, float]) -> dict[Key, float]:
    """The samples whose value moved (a new sample at 0 has not moved), by how much."""
    keys = set(before) | set(after)
    deltas = {k: after.get(k, 0.0) - before.get(k, 0.0) for k in keys}
    return {k: d for k, d in deltas.items() if d != 0}


def key(name: str, **labels: str) -> Key:
    return (name, tuple(sorted(labels.items())))


def bucket_deltas(name: str, buckets: tuple[float, ...], value: float, version: str) -> dict:
    """The cumulative buckets one observation of ``value`` moves, with its count and sum."""
    out = {key(f"{name}_bucket", version=version, le=_le(b)): 1.0 for b in buckets if value <= b}
    out[key(f"{name}_bucket", version=version, le="+Inf")] = 1.0
    out[key(f"{name}_count", version=version)] = 1.0
    out[key(f"{name}_sum", version=version)] = value
    return out


def _le(bound: float) -> str:
    return str(float(bound))


def test_observe_request_moves_exactly_its_samples() -> None:
    m = ServeMetrics()
    m.observe_request("base", status=200, e2e_s=0.4)  # another version, left alone below
    before = samples(m)
    m.observe_request(
        "v1", status=200, e2e_s=1.2, ttft_s=0.05, prompt_tokens=900, generation_tokens=40,
        cached_tokens=250,
    )  # fmt: skip
    expected = {
        key("domainsft:requests_total", version="v1", status="200"): 1.0,
        key("domainsft:prompt_tokens_total", version="v1"): 900.0,
        key("domainsft:prefix_cache_queries_total", version="v1"): 900.0,
        key("domainsft:prefix_cache_hits_total", version="v1"): 250.0,
        key("domainsft:generation_tokens_total", version="v1"): 40.0,
        **bucket_deltas("domainsft:e2e_request_latency_seconds", E2E_BUCKETS, 1.2, "v1"),
        **bucket_deltas("domainsft:time_to_first_token_seconds", TTFT_BUCKETS, 0.05, "v1"),
    }
    assert changed(before, samples(m)) == pytest.approx(expected)
    # tpot_s was not given: nothing of that histogram exists for v1
    assert m.value("domainsft:time_per_output_token_seconds_count", version="v1") == 0.0

    before = samples(m)
    m.observe_request("v1", status=429)  # refused: a status and nothing else
    assert changed(before, samples(m)) == {
        key("domainsft:requests_total", version="v1", status="429"): 1.0
    }
    assert m.value("domainsft:requests_total", version="v1", status="200") == 1.0
    assert m.value("domainsft:requests_total", version="v1") == 2.0  # summed over status
    assert m.value("domainsft:requests_total", version="base", status="200") == 1.0


def test_observe_answer_moves_exactly_its_samples() -> None:
    m = ServeMetrics()
    before = samples(m)
    m.observe_answer(
        "v1",
        numbers=["verified", "verified", "corrected"],
        guard=[("no_guaranteed_returns", "rewrite"), ("pii_phone", "rewrite")],
        abstained=False,
        citations=2,
        retrieval_pages=3,
        verified=False,
    )
    expected = {
        key("domainsft:answers_total", version="v1"): 1.0,
        key("domainsft:verifier_failures_total", version="v1"): 1.0,
        key("domainsft:verifier_numbers_total", version="v1", status="verified"): 2.0,
        key("domainsft:verifier_numbers_total", version="v1", status="corrected"): 1.0,
        key(
            "domainsft:guard_actions_total",
            version="v1",
            rule="no_guaranteed_returns",
            action="rewrite",
        ): 1.0,
        key("domainsft:guard_actions_total", version="v1", rule="pii_phone", action="rewrite"): 1.0,
        **bucket_deltas("domainsft:citations_per_answer", (0, 1, 2, 3, 4, 5, 8, 12), 2, "v1"),
        **bucket_deltas("domainsft:retrieval_pages", (0, 1, 2, 3, 4, 6, 8, 12, 16), 3, "v1"),
    }
    after = samples(m)
    assert changed(before, after) == pytest.approx(expected)
    # the ratios' series exist from the first answer on, at 0 where nothing was counted
    assert key("domainsft:abstentions_total", version="v1") in after
    for status in VERIFIER_STATUSES:
        assert key("domainsft:verifier_numbers_total", version="v1", status=status) in after

    before = after
    m.observe_answer(
        "v1", numbers=[], guard=[], abstained=True, citations=0, retrieval_pages=0, verified=True
    )
    delta = changed(before, samples(m))
    assert delta[key("domainsft:abstentions_total", version="v1")] == 1.0
    assert delta[key("domainsft:answers_total", version="v1")] == 1.0
    assert key("domainsft:verifier_failures_total", version="v1") not in delta
    assert m.value("domainsft:verifier_failures_total", version="v1") == 1.0
    assert m.value("domainsft:citations_per_answer_bucket", version="v1", le="0.0") == 1.0


def test_load_shadow_and_rollback() -> None:
    m = ServeMetrics()
    m.set_load("v2", running=3, waiting=7)
    m.set_load("v2", running=1, waiting=0)  # a gauge: the last value, not a sum
    assert m.value("domainsft:num_requests_running", version="v2") == 1.0
    assert m.value("domainsft:num_requests_waiting", version="v2") == 0.0

    m.observe_request("v2", status=200)  # creates the rare-event series at 0
    before = samples(m)
    assert before[key("domainsft:rollbacks_total", version="v2")] == 0.0
    m.observe_shadow("v2")
    m.observe_shadow("v2")
    m.observe_rollback("v2")
    assert changed(before, samples(m)) == {
        key("domainsft:shadow_requests_total", version="v2"): 2.0,
        key("domainsft:rollbacks_total", version="v2"): 1.0,
    }


def test_exposition_parses_and_holds_every_exported_name() -> None:
    m = ServeMetrics()
    m.observe_request("v1", status=200, e2e_s=2, ttft_s=0.1, tpot_s=0.03, prompt_tokens=5)
    m.observe_answer(
        "v1",
        numbers=["recomputed"],
        guard=[("r", "flag")],
        abstained=False,
        citations=1,
        retrieval_pages=4,
        verified=True,
    )
    m.set_load("v1", running=1, waiting=0)
    m.observe_shadow("v1")
    m.observe_rollback("v1")

    body, content_type = m.exposition()
    assert content_type.startswith("text/plain; version=0.0.4")
    text = body.decode("utf-8")
    families = list(text_string_to_metric_families(text))
    seen = {s.name for f in families for s in f.samples}
    assert seen == m.exported_names()
    assert not any(name.endswith("_created") for name in seen)
    assert all(s.labels.get("version") == "v1" for f in families for s in f.samples)

    required = {
        "domainsft:e2e_request_latency_seconds_bucket",
        "domainsft:time_to_first_token_seconds_sum",
        "domainsft:time_per_output_token_seconds_count",
        "domainsft:prompt_tokens_total",
        "domainsft:generation_tokens_total",
        "domainsft:prefix_cache_queries_total",
        "domainsft:prefix_cache_hits_total",
        "domainsft:num_requests_running",
        "domainsft:num_requests_waiting",
        "domainsft:requests_total",
        "domainsft:verifier_numbers_total",
        "domainsft:verifier_failures_total",
        "domainsft:answers_total",
        "domainsft:guard_actions_total",
        "domainsft:abstentions_total",
        "domainsft:citations_per_answer_bucket",
        "domainsft:retrieval_pages_bucket",
        "domainsft:shadow_requests_total",
        "domainsft:rollbacks_total",
    }
    assert required <= m.exported_names()
    # vLLM's buckets, as the brief and the dashboard's quantiles assume
    les = {s.labels["le"] for f in families for s in f.samples if s.name.endswith("_bucket")}
    assert {"7680.0", "2560.0", "0.001", "80.0", "+Inf"} <= les


def test_exported_names_come_from_the_registry() -> None:
    from prometheus_client import Gauge

    registry = CollectorRegistry()
    m = ServeMetrics(registry)
    assert "domainsft:requests_total" in m.exported_names()  # before any observation
    Gauge("domainsft:extra", "added by the server", registry=registry)
    assert "domainsft:extra" in m.exported_names()


def test_instances_share_nothing() -> None:
    a, b = ServeMetrics(), ServeMetrics()
    assert a.registry is not b.registry
    a.observe_request("v1", status=200, prompt_tokens=3)
    assert a.value("domainsft:prompt_tokens_total", version="v1") == 3.0
    assert b.value("domainsft:prompt_tokens_total", version="v1") == 0.0
    assert b'version="v1"' not in b.exposition()[0]


def test_a_shared_registry_is_refused_clearly() -> None:
    registry = CollectorRegistry()
    ServeMetrics(registry)
    with pytest.raises(ValueError, match="registry of its own"):
        ServeMetrics(registry)


def test_value_refuses_what_would_read_as_a_quiet_zero() -> None:
    m = ServeMetrics()
    assert m.value("domainsft:answers_total", version="nobody") == 0.0  # absent: 0.0
    with pytest.raises(ValueError, match="no metric exports"):
        m.value("domainsft:answer_total", version="v1")  # typo
    with pytest.raises(ValueError, match="has labels"):
        m.value("domainsft:requests_total", verison="v1")
    with pytest.raises(ValueError, match="le="):
        m.value("domainsft:retrieval_pages_bucket", version="v1")


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda m: m.observe_request("", status=200), "version"),
        (lambda m: m.observe_request("v1", status=99), "HTTP status"),
        (lambda m: m.observe_request("v1", status="200"), "HTTP status"),
        (lambda m: m.observe_request("v1", status=200, e2e_s=-1.0), "e2e_s"),
        (lambda m: m.observe_request("v1", status=200, ttft_s=float("nan")), "ttft_s"),
        (lambda m: m.observe_request("v1", status=200, prompt_tokens=-2), "prompt_tokens"),
        (
            lambda m: m.observe_request("v1", status=200, prompt_tokens=2, cached_tokens=3),
            "cached_tokens",
        ),
        (lambda m: m.set_load("v1", running=1, waiting=-1), "waiting"),
        (lambda m: m.observe_shadow(None), "version"),
    ],
)
def test_bad_requests_record_nothing(call, match: str) -> None:
    m = ServeMetrics()
    before = samples(m)
    with pytest.raises(ValueError, match=match):
        call(m)
    assert samples(m) == before


def _answer(**overrides) -> dict:
    args = dict(
        numbers=["verified"],
        guard=[],
        abstained=False,
        citations=1,
        retrieval_pages=2,
        verified=True,
    )
    return {**args, **overrides}


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        ({"numbers": ["verified", "maybe"]}, "status must be one of"),
        ({"guard": [("rule",)]}, "rule, action"),
        ({"guard": [("rule", "")]}, "rule, action"),
        ({"citations": -1}, "citations"),
        ({"retrieval_pages": 1.5}, "retrieval_pages"),
        ({"verified": "yes"}, "verified"),
    ],
)
def test_bad_answers_record_nothing(overrides: dict, match: str) -> None:
    m = ServeMetrics()
    before = samples(m)
    with pytest.raises(ValueError, match=match):
        m.observe_answer("v1", **_answer(**overrides))
    assert samples(m) == before


def test_statuses_are_the_verifiers() -> None:
    from domainsft.assistant.verifier import STATUSES

    assert VERIFIER_STATUSES == STATUSES


def test_metrics_module_stays_import_cheap() -> None:
    import subprocess
    import sys

    code = (
        "import sys, domainsft.serve.metrics; "
        "print(sorted(m for m in ('fastapi', 'torch', 'domainsft.assistant') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
