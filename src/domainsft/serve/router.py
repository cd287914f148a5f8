"""Canary releases: which model version answers a request.

Versions (the base model, adapter v1, v2 ...) carry traffic weights. A request with a user (the
``user`` field or the ``X-User`` header) is sticky: the user's hash picks a point on [0, 1) and
the cumulative weights map it to a version, so one user keeps one version while the weights
stay put (and moves only when a weight change moves that point's version). A request without a
user is drawn at random with the same weights. A shadow share mirrors requests to a candidate
whose answer is recorded and thrown away.

``promote`` sends all traffic to a version; ``rollback`` takes a version off traffic (its
weight goes to the stable version, the one with the largest weight at start-up or the last one
promoted). After every answer the router judges candidates: once one has answered
``min_requests`` since it last got traffic, a 5xx share or verifier-failure share above the
thresholds rolls it back by itself.
"""

from __future__ import annotations

import hashlib
import random
import threading
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Tally:
    """A version's answers since it last got traffic (reset on promote and on new weights)."""

    requests: int = 0
    errors: int = 0  # 5xx
    answers: int = 0  # grounded answers
    verifier_failures: int = 0


@dataclass
class Event:
    action: str  # promote | rollback | weights | auto-rollback
    version: str
    reason: str = ""


@dataclass
class Router:
    versions: list[str]
    weights: dict[str, float]
    shadow: dict[str, float] = field(default_factory=dict)
    min_requests: int = 20
    max_error_rate: float = 0.05
    max_verifier_failure_rate: float = 0.10
    seed: int | None = None
    stable: str = ""
    tallies: dict[str, Tally] = field(default_factory=dict)
    history: list[Event] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._random = random.Random(self.seed)
        self.set_weights(self.weights, record=False)
        self.shadow = {v: float(s) for v, s in self.shadow.items() if s > 0}
        for v in self.shadow:
            self._known(v)
        if not self.stable:
            self.stable = max(self.versions, key=lambda v: self.weights.get(v, 0.0))

    # -------------------------------------------------------------------- routing
    def pick(self, user: str | None = None) -> str:
        """The version that answers this request."""
        point = _point(user) if user else self._random.random()
        with self._lock:
            return self._at(point)

    def shadow_for(self, user: str | None = None) -> list[str]:
        """Candidates this request is mirrored to (each drawn with its shadow share)."""
        with self._lock:
            items = list(self.shadow.items())
        return [v for v, share in items if self._random.random() < share]

    def _at(self, point: float) -> str:
        total = sum(self.weights.values())
        edge = 0.0
        for v in self.versions:
            edge += self.weights.get(v, 0.0) / total
            if point < edge:
                return v
        return self.stable

    # -------------------------------------------------------------------- changes
    def set_weights(self, weights: dict[str, float], record: bool = True) -> None:
        for v in weights:
            self._known(v)
        clean = {v: float(w) for v, w in weights.items() if w > 0}
        if any(w < 0 for w in weights.values()):
            raise ValueError(f"canary weights must be >= 0, got {weights}")
        if not clean:
            raise ValueError("canary weights: at least one version needs a weight above 0")
        self.weights = clean
        for v in clean:
            self.tallies[v] = Tally()
        if record:
            self.history.append(Event("weights", ",".join(f"{v}={w:g}" for v, w in clean.items())))

    def promote(self, version: str) -> None:
        self._known(version)
        with self._lock:
            self.weights = {version: 1.0}
            self.stable = version
            self.tallies[version] = Tally()
            self.shadow.pop(version, None)
            self.history.append(Event("promote", version))

    def rollback(self, version: str, reason: str = "by hand") -> bool:
        """Take ``version`` off traffic; False when it had none (nothing changed)."""
        self._known(version)
        with self._lock:
            self.shadow.pop(version, None)
            share = self.weights.pop(version, 0.0)
            if share == 0.0:
                return False
            if version == self.stable or not self.weights:
                others = [v for v in self.versions if v != version]
                if not others:
                    self.weights[version] = share
                    raise ValueError(
                        f"{version} is the only version; there is nothing to roll back to"
                    )
                self.stable = next((v for v in others if v in self.weights), others[0])
            self.weights[self.stable] = self.weights.get(self.stable, 0.0) + share
            action = "auto-rollback" if reason != "by hand" else "rollback"
            self.history.append(Event(action, version, reason))
            return True

    # -------------------------------------------------------------------- judging
    def record(
        self, version: str, *, status: int, grounded: bool = False, verified: bool = True
    ) -> str | None:
        """Count one answer of ``version``; returns the reason when it was rolled back now."""
        with self._lock:
            t = self.tallies.setdefault(version, Tally())
            t.requests += 1
            t.errors += status >= 500
            if grounded:
                t.answers += 1
                t.verifier_failures += not verified
            candidate = version != self.stable and version in self.weights
            why = self._verdict(t) if candidate else None
        if why and self.rollback(version, why):
            return why
        return None

    def _verdict(self, t: Tally) -> str | None:
        if t.requests < self.min_requests:
            return None
        if t.errors / t.requests > self.max_error_rate:
            return f"5xx rate {t.errors}/{t.requests} above {self.max_error_rate:.0%}"
        if t.answers and t.verifier_failures / t.answers > self.max_verifier_failure_rate:
            return (
                f"verifier failures {t.verifier_failures}/{t.answers} above "
                f"{self.max_verifier_failure_rate:.0%}"
            )
        return None

    def status(self) -> dict[str, Any]:
        with self._lock:
            return {
                "versions": list(self.versions),
                "weights": dict(self.weights),
                "shadow": dict(self.shadow),
                "stable": self.stable,
                "tallies": {v: vars(t).copy() for v, t in self.tallies.items()},
                "history": [vars(e).copy() for e in self.history[-50:]],
            }

    def _known(self, version: str) -> None:
        if version not in self.versions:
            raise KeyError(f"no version {version!r}; served: {', '.join(self.versions)}")


def _point(user: str) -> float:
    """A user's fixed point on [0, 1) (the first 8 bytes of sha256 of the user id)."""
    digest = hashlib.sha256(user.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64
