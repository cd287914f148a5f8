"""Prometheus metrics of ``domainsft serve``: what each request cost and what the analyst did.

Why this shape:

* Names and buckets follow vLLM's (``vllm:e2e_request_latency_seconds`` and so on) under a
  ``domainsft:`` prefix, so dashboards and habits made for vLLM read these too, and the
  latency buckets span the seconds-to-hours range that a model on CPU can take.
* Every series carries a ``version`` label (the model version that served the request: "base",
  "v1", an adapter name), because a canary is judged by comparing versions side by side and a
  rollback is decided on one version's numbers (``ServeMetrics.value``).
* The analyst's own metrics (verifier outcomes, guard actions, abstentions, citations, evidence
  pages) show what a latency dashboard cannot: a version that answers fast with figures the
  verifier cannot back is the regression that matters here. The verifier-failure rate that the
  alert watches is ``rate(verifier_failures_total) / rate(answers_total)``; for the ratio to
  exist from a version's first answer on, an answer creates its version's failure, abstention
  and per-status number series at 0 even when it adds nothing to them.
* Each instance owns its ``CollectorRegistry``: two servers or two tests in one process never
  share a series, and never collide (the process-wide default registry would refuse the second).
* ``_created`` series are left out of the exposition: prometheus_client adds one per counter
  and histogram child, doubling the series count for a timestamp nothing here reads. They are
  filtered from this registry's output, not with the library's process-wide switch, so other
  code in the process keeps its own behaviour.

    metrics = ServeMetrics()
    metrics.observe_request("v1", status=200, e2e_s=1.8, ttft_s=0.2, prompt_tokens=900)
    body, content_type = metrics.exposition()            # GET /metrics
    metrics.value("domainsft:requests_total", version="v1", status="200")  # -> 1.0
"""

from __future__ import annotations

import math
from collections import Counter as Tally
from collections.abc import Iterable, Iterator

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import generate_latest
from prometheus_client.metrics_core import Metric

PREFIX = "domainsft:"
# The classic text format, which generate_latest writes. Spelled out rather than imported:
# recent prometheus_client releases make CONTENT_TYPE_LATEST the 1.0.0 format (UTF-8 names)
# and older ones lack CONTENT_TYPE_PLAIN_0_0_4. Every name here is a classic one, so the body
# is exactly 0.0.4, the version every Prometheus reads.
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# vLLM's buckets, in seconds.
E2E_BUCKETS = (0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0,
               120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0)  # fmt: skip
TTFT_BUCKETS = (0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0,
                7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0)  # fmt: skip
TPOT_BUCKETS = (0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0,
                7.5, 10.0, 20.0, 40.0, 80.0)  # fmt: skip
CITATION_BUCKETS = (0, 1, 2, 3, 4, 5, 8, 12)
RETRIEVAL_PAGE_BUCKETS = (0, 1, 2, 3, 4, 6, 8, 12, 16)

# The verifier's statuses, as ``domainsft.assistant.verifier.STATUSES`` names them (a test holds
# the two equal; importing the verifier here would load the whole assistant for a constant).
VERIFIER_STATUSES = ("verified", "recomputed", "corrected", "unverified")

# The sample names each metric type exports in the text format (prometheus_client's family
# names carry no ``_total``; a histogram's samples are its buckets, count and sum).
_SAMPLE_SUFFIXES = {
    "counter": ("_total",),
    "gauge": ("",),
    "histogram": ("_bucket", "_count", "_sum"),
    "summary": ("", "_count", "_sum"),
    "info": ("_info",),
    "stateset": ("",),
    "gaugehistogram": ("_bucket", "_gcount", "_gsum"),
    "unknown": ("",),
}


class ServeMetrics:
    """The serving metrics on a registry of their own (``registry``), exposed by ``exposition``."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        self._labels: dict[str, tuple[str, ...]] = {}  # sample name -> its label names
        try:
            self._define()
        except ValueError as err:  # prometheus_client: "Duplicated timeseries in ..."
            raise ValueError(
                "this registry already holds domainsft serve metrics (another ServeMetrics "
                f"on it?): give each ServeMetrics a registry of its own, the default ({err})"
            ) from err

    def _define(self) -> None:
        v = ("version",)
        self._e2e = self._histogram(
            "e2e_request_latency_seconds", "End-to-end request latency.", E2E_BUCKETS
        )
        self._ttft = self._histogram(
            "time_to_first_token_seconds", "Time to the first generated token.", TTFT_BUCKETS
        )
        self._tpot = self._histogram(
            "time_per_output_token_seconds",
            "Time per generated token after the first.",
            TPOT_BUCKETS,
        )
        self._prompt_tokens = self._counter("prompt_tokens", "Prompt tokens processed.", v)
        self._generation_tokens = self._counter("generation_tokens", "Tokens generated.", v)
        # vLLM's prefix-cache counters, in tokens: hits / queries is the share of prompt
        # tokens the prefix cache saved computing
        self._prefix_queries = self._counter(
            "prefix_cache_queries", "Prompt tokens looked up in the prefix cache.", v
        )
        self._prefix_hits = self._counter(
            "prefix_cache_hits", "Prompt tokens found in the prefix cache (not computed).", v
        )
        self._running = self._gauge("num_requests_running", "Requests being generated now.")
        self._waiting = self._gauge("num_requests_waiting", "Requests queued for generation.")
        self._requests = self._counter(
            "requests", "Requests answered, by HTTP status code.", ("version", "status")
        )
        self._numbers = self._counter(
            "verifier_numbers",
            "Figures of grounded answers, by verifier status "
            "(verified|recomputed|corrected|unverified).",
            ("version", "status"),
        )
        self._failures = self._counter(
            "verifier_failures", "Grounded answers whose figures did not all verify.", v
        )
        self._answers = self._counter("answers", "Grounded answers.", v)
        self._guard = self._counter(
            "guard_actions",
            "Compliance guard actions, by rule and action.",
            ("version", "rule", "action"),
        )
        self._abstentions = self._counter("abstentions", "Grounded answers that abstained.", v)
        self._citations = self._histogram(
            "citations_per_answer", "Citations per grounded answer.", CITATION_BUCKETS
        )
        self._retrieval = self._histogram(
            "retrieval_pages",
            "Evidence pages put in a grounded answer's prompt.",
            RETRIEVAL_PAGE_BUCKETS,
        )
        self._shadow = self._counter(
            "shadow_requests", "Requests mirrored to a candidate version (shadow traffic).", v
        )
        self._rollbacks = self._counter(
            "rollbacks", "Rollbacks of a version (the label names the version rolled back).", v
        )

    def _counter(self, name: str, doc: str, labels: tuple[str, ...]) -> Counter:
        self._labels[PREFIX + name + "_total"] = labels
        return Counter(PREFIX + name, doc, labels, registry=self.registry)

    def _gauge(self, name: str, doc: str) -> Gauge:
        self._labels[PREFIX + name] = ("version",)
        return Gauge(PREFIX + name, doc, ("version",), registry=self.registry)

    def _histogram(self, name: str, doc: str, buckets: tuple[float, ...]) -> Histogram:
        self._labels[PREFIX + name + "_bucket"] = ("version", "le")
        self._labels[PREFIX + name + "_count"] = ("version",)
        self._labels[PREFIX + name + "_sum"] = ("version",)
        return Histogram(PREFIX + name, doc, ("version",), buckets=buckets, registry=self.registry)

    # -- recording ---------------------------------------------------------------------------

    def observe_request(
        self,
        version: str,
        *,
        status: int,
        e2e_s: float | None = None,
        ttft_s: float | None = None,
        tpot_s: float | None = None,
        prompt_tokens: int = 0,
        generation_tokens: int = 0,
        cached_tokens: int = 0,
    ) -> None:
        """One finished request: its HTTP status and, where it generated, its timings and tokens.

        A timing left None is not observed (a 429 has no time to first token). Everything is
        checked before anything is recorded, so a bad call records nothing.
        """
        _check_version(version)
        if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
            raise ValueError(f"status must be an HTTP status code (100-599), got {status!r}")
        for what, seconds in (("e2e_s", e2e_s), ("ttft_s", ttft_s), ("tpot_s", tpot_s)):
            if seconds is not None:
                _check_seconds(what, seconds)
        _check_count("prompt_tokens", prompt_tokens)
        _check_count("generation_tokens", generation_tokens)
        _check_count("cached_tokens", cached_tokens)
        if cached_tokens > prompt_tokens:
            raise ValueError(
                f"cached_tokens ({cached_tokens}) cannot exceed prompt_tokens ({prompt_tokens})"
            )

        self._requests.labels(version, str(status)).inc()
        for histogram, seconds in ((self._e2e, e2e_s), (self._ttft, ttft_s), (self._tpot, tpot_s)):
            if seconds is not None:
                histogram.labels(version).observe(seconds)
        self._prompt_tokens.labels(version).inc(prompt_tokens)
        self._generation_tokens.labels(version).inc(generation_tokens)
        self._prefix_queries.labels(version).inc(prompt_tokens)
        self._prefix_hits.labels(version).inc(cached_tokens)
        # Rare events' series exist at 0 from a version's first request on: a counter series
        # born at 1 hides its first increment from increase() and rate().
        self._shadow.labels(version)
        self._rollbacks.labels(version)

    def observe_answer(
        self,
        version: str,
        *,
        numbers: Iterable[str],
        guard: Iterable[tuple[str, str]],
        abstained: bool,
        citations: int,
        retrieval_pages: int,
        verified: bool,
    ) -> None:
        """One grounded answer: its figures' verifier statuses (one string per figure), the
        guard's (rule, action) pairs, whether it abstained, its citations, the evidence pages
        in its prompt, and whether all its figures verified (normally: every status verified
        or recomputed; False counts a verifier failure).
        """
        _check_version(version)
        statuses = list(numbers)
        for status in statuses:
            if status not in VERIFIER_STATUSES:
                raise ValueError(
                    f"a figure's status must be one of {VERIFIER_STATUSES}, got {status!r}"
                )
        actions = [tuple(pair) for pair in guard]
        for pair in actions:
            if len(pair) != 2 or not all(isinstance(s, str) and s for s in pair):
                raise ValueError(f"a guard action must be a (rule, action) pair, got {pair!r}")
        _check_flag("abstained", abstained)
        _check_flag("verified", verified)
        _check_count("citations", citations)
        _check_count("retrieval_pages", retrieval_pages)

        self._answers.labels(version).inc()
        tally = Tally(statuses)
        for status in VERIFIER_STATUSES:  # every status's series exists, at 0 if need be
            self._numbers.labels(version, status).inc(tally[status])
        self._failures.labels(version).inc(0 if verified else 1)
        self._abstentions.labels(version).inc(1 if abstained else 0)
        for rule, action in actions:
            self._guard.labels(version, rule, action).inc()
        self._citations.labels(version).observe(citations)
        self._retrieval.labels(version).observe(retrieval_pages)

    def set_load(self, version: str, *, running: int, waiting: int) -> None:
        """The requests a version is generating now and those queued for it."""
        _check_version(version)
        _check_count("running", running)
        _check_count("waiting", waiting)
        self._running.labels(version).set(running)
        self._waiting.labels(version).set(waiting)

    def observe_shadow(self, version: str) -> None:
        """One request mirrored to ``version``, a candidate (its answer reaches no client).

        The candidate's reply is meant to be observed too (``observe_request``, and
        ``observe_answer`` for a grounded one, under the candidate's version): its latency,
        errors and verifier failures are what shadow traffic is for.
        """
        _check_version(version)
        self._shadow.labels(version).inc()

    def observe_rollback(self, version: str) -> None:
        """``version`` was rolled back (traffic taken off it)."""
        _check_version(version)
        self._rollbacks.labels(version).inc()

    # -- reading -----------------------------------------------------------------------------

    def exposition(self) -> tuple[bytes, str]:
        """The body and content type of ``GET /metrics`` (the classic text format, 0.0.4)."""
        return generate_latest(_WithoutCreated(self.registry)), CONTENT_TYPE

    def exported_names(self) -> set[str]:
        """Every sample name the registry can export, whether or not it has samples yet: read
        from the registry's metric families and their types, so a metric added to the registry
        is included without a list to keep.
        """
        names: set[str] = set()
        for family in _WithoutCreated(self.registry).collect():
            names.update(
                family.name + suffix for suffix in _SAMPLE_SUFFIXES.get(family.type, ("",))
            )
            names.update(sample.name for sample in family.samples)
        return names

    def value(self, name: str, **labels: str) -> float:
        """The current value of the sample ``name`` with these labels; 0.0 when it has none yet.

        Labels left out are summed over: ``value("domainsft:requests_total", version="v1")`` is
        v1's requests of every status. A name no metric exports, a label it does not carry, or
        a ``_bucket`` without ``le`` is an error (a typo would otherwise read as a quiet 0.0).
        """
        if name not in self.exported_names():
            known = ", ".join(sorted(self.exported_names()))
            raise ValueError(f"no metric exports a sample named {name!r}; known: {known}")
        allowed = self._labels.get(name)
        if allowed is not None:
            unknown = sorted(set(labels) - set(allowed))
            if unknown:
                raise ValueError(f"{name} has labels {allowed}, not {unknown}")
            if name.endswith("_bucket") and "le" not in labels:
                raise ValueError(f"{name}: give le= (summing buckets over le means nothing)")
        total = 0.0
        for family in self.registry.collect():
            for sample in family.samples:
                if sample.name == name and all(
                    sample.labels.get(k) == v for k, v in labels.items()
                ):
                    total += sample.value
        return total


class _WithoutCreated:
    """A registry as a collector, less the ``_created`` samples of its counters and histograms."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self._registry = registry

    def collect(self) -> Iterator[Metric]:
        for family in self._registry.collect():
            created = family.name + "_created"
            if not any(sample.name == created for sample in family.samples):
                yield family
                continue
            # A copy: a custom collector may hand out the same family object on every collect.
            out = Metric(family.name, family.documentation, family.type, family.unit)
            out.samples = [sample for sample in family.samples if sample.name != created]
            yield out


def _check_version(version: object) -> None:
    if not isinstance(version, str) or not version:
        raise ValueError(
            "version must be a non-empty string (the model version that served the request: "
            f'"base", "v1", an adapter name), got {version!r}'
        )


def _check_seconds(what: str, seconds: object) -> None:
    number = isinstance(seconds, int | float) and not isinstance(seconds, bool)
    if not number or not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"{what} must be a finite number of seconds >= 0, got {seconds!r}")


def _check_count(what: str, n: object) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"{what} must be an int >= 0, got {n!r}")


def _check_flag(what: str, flag: object) -> None:
    if not isinstance(flag, bool):
        raise ValueError(f"{what} must be a bool, got {flag!r}")
