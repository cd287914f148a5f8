"""Canary routing: weights honoured within statistical tolerance, one version per user, shadow
shares, promote and rollback by hand, and the automatic rollback of a failing candidate."""

from __future__ import annotations

import math
from collections import Counter

import pytest

from domainsft.serve.router import Router

VERSIONS = ["base", "v1", "v2"]


def test_weights_are_honoured_within_statistical_tolerance():
    router = Router(VERSIONS, {"base": 0.7, "v1": 0.2, "v2": 0.1}, seed=1)
    n = 20_000
    seen = Counter(router.pick() for _ in range(n))
    for version, share in (("base", 0.7), ("v1", 0.2), ("v2", 0.1)):
        sd = math.sqrt(share * (1 - share) / n)
        assert abs(seen[version] / n - share) < 4 * sd, seen
    users = Counter(router.pick(f"user-{i}") for i in range(n))  # sticky draws spread the same
    for version, share in (("base", 0.7), ("v1", 0.2), ("v2", 0.1)):
        assert abs(users[version] / n - share) < 4 * math.sqrt(share * (1 - share) / n), users


def test_a_user_keeps_one_version():
    router = Router(VERSIONS, {"base": 0.5, "v1": 0.5}, seed=2)
    for i in range(200):
        user = f"analyst-{i}"
        assert len({router.pick(user) for _ in range(20)}) == 1


def test_shadow_share_and_it_never_picks_for_the_client():
    router = Router(VERSIONS, {"base": 1.0}, shadow={"v2": 0.25}, seed=3)
    n = 8000
    mirrored = sum("v2" in router.shadow_for() for _ in range(n))
    assert abs(mirrored / n - 0.25) < 4 * math.sqrt(0.25 * 0.75 / n)
    assert {router.pick() for _ in range(500)} == {"base"}


def test_promote_and_rollback_by_hand():
    router = Router(VERSIONS, {"base": 0.9, "v1": 0.1}, seed=4)
    assert router.stable == "base"
    router.promote("v1")
    assert router.weights == {"v1": 1.0} and router.stable == "v1"
    assert router.rollback("v1")
    assert router.weights == {"base": 1.0} and router.stable == "base"
    assert not router.rollback("v2")  # it had no traffic: nothing changes
    with pytest.raises(KeyError):
        router.promote("v9")
    actions = [e.action for e in router.history]
    assert actions == ["promote", "rollback"]


def test_a_candidate_over_the_verifier_failure_threshold_is_rolled_back():
    router = Router(VERSIONS, {"base": 0.8, "v1": 0.2}, min_requests=10,
                    max_verifier_failure_rate=0.2, seed=5)  # fmt: skip
    for i in range(9):  # not judged before min_requests
        assert router.record("v1", status=200, grounded=True, verified=i % 2 == 0) is None
    why = router.record("v1", status=200, grounded=True, verified=False)
    assert why and "verifier failures" in why
    assert router.weights == {"base": 1.0}
    assert router.history[-1].action == "auto-rollback"
    assert {router.pick(f"u{i}") for i in range(100)} == {"base"}


def test_a_candidate_with_5xx_is_rolled_back_and_the_stable_one_never_is():
    router = Router(VERSIONS, {"base": 0.5, "v2": 0.5}, min_requests=5, max_error_rate=0.1)
    for _ in range(20):  # the stable version is not judged against itself
        router.record("base", status=500)
    assert "base" in router.weights
    for status in (200, 200, 500, 200, 500):
        why = router.record("v2", status=status)
    assert why and "5xx" in why and router.weights == {"base": 1.0}


def test_a_healthy_candidate_stays():
    router = Router(VERSIONS, {"base": 0.5, "v1": 0.5}, min_requests=5)
    for _ in range(50):
        assert router.record("v1", status=200, grounded=True, verified=True) is None
    assert router.weights == {"base": 0.5, "v1": 0.5}
