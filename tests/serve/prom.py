"""The real Prometheus server for tests: scrape a test server and read the result back.

A test that only parses the exposition text proves the format; it does not prove that
Prometheus ingests the names, types and labels as the dashboard and alert rules expect to
query them. ``running_prometheus`` runs the ``prometheus`` binary (the Debian package that
``make setup`` installs) on a loopback port with a 1 s scrape interval, ``query`` reads its
HTTP API with the standard library only, ``wait_for`` polls until a query has a result.

    with running_prometheus(["127.0.0.1:8123"], tmp_path) as url:
        rows = wait_for(url, 'domainsft:requests_total{version="v1"}', timeout_s=15)
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

READY_TIMEOUT_S = 30.0


def prometheus_binary(name: str = "prometheus") -> str:
    """The path of ``prometheus`` (or ``promtool``); a failure, not a skip, when it is missing:
    CI installs it, so a missing binary is a broken setup."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(
            f"{name} is not on PATH: run `make setup` (it installs the Debian package "
            "`prometheus`, which provides prometheus and promtool)",
            pytrace=False,
        )
    return path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_prometheus(
    targets: list[str], tmp_path: Path, rule_files: Sequence[Path] = ()
) -> Iterator[str]:
    """Prometheus scraping ``targets`` (host:port, ``/metrics``) every second, evaluating
    ``rule_files`` every second; yields its base URL and terminates it on exit."""
    binary = prometheus_binary()
    root = tmp_path / "prometheus"
    root.mkdir(parents=True, exist_ok=True)
    config = {
        "global": {"scrape_interval": "1s", "scrape_timeout": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(Path(p).resolve()) for p in rule_files],
        "scrape_configs": [
            {
                "job_name": "domainsft-test",
                "metrics_path": "/metrics",
                "static_configs": [{"targets": list(targets)}],
            }
        ],
    }
    config_path = root / "prometheus.yml"
    config_path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    address = f"127.0.0.1:{free_port()}"
    base_url = f"http://{address}"
    log_path = root / "prometheus.log"
    with log_path.open("wb") as log:  # a file, not a pipe: a full pipe would block prometheus
        proc = subprocess.Popen(
            [
                binary,
                f"--config.file={config_path}",
                f"--storage.tsdb.path={root / 'data'}",
                f"--web.listen-address={address}",
            ],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_ready(proc, base_url, log_path)
            yield base_url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


def _wait_ready(proc: subprocess.Popen, base_url: str, log_path: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while True:
        if proc.poll() is not None:
            pytest.fail(f"prometheus exited with {proc.returncode}:\n{_tail(log_path)}")
        try:
            with urllib.request.urlopen(f"{base_url}/-/ready", timeout=1) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            pytest.fail(
                f"prometheus was not ready at {base_url} after {READY_TIMEOUT_S:.0f} s:\n"
                f"{_tail(log_path)}"
            )
        time.sleep(0.1)


def _tail(path: Path, lines: int = 40) -> str:
    text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
    return "\n".join(text.splitlines()[-lines:]) or "(no output)"


def api(base_url: str, path: str, **params: str) -> dict:
    """The ``data`` of a Prometheus HTTP API answer; an error answer raises with its message."""
    url = f"{base_url}{path}"
    if params:
        url += "?" + urllib.parse.urlencode(params)
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            body = json.load(resp)
    except urllib.error.HTTPError as err:  # 400/422: a bad query, with Prometheus's reason
        body = json.loads(err.read() or b"{}")
    if body.get("status") != "success":
        raise RuntimeError(f"{path} {params}: {body.get('errorType')}: {body.get('error')}")
    return body["data"]


def query(base_url: str, promql: str) -> list[dict]:
    """An instant query's result: one ``{"metric": {...}, "value": [ts, "v"]}`` per series."""
    data = api(base_url, "/api/v1/query", query=promql)
    if data["resultType"] != "vector":
        raise RuntimeError(f"{promql!r} gives a {data['resultType']}, not an instant vector")
    return data["result"]


def wait_for(base_url: str, promql: str, timeout_s: float) -> list[dict]:
    """Poll ``promql`` until it has a result and return it; fail, with the scrape targets'
    health, after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while True:
        result = query(base_url, promql)
        if result:
            return result
        if time.monotonic() > deadline:
            targets = api(base_url, "/api/v1/targets")["activeTargets"]
            health = [(t["scrapeUrl"], t["health"], t.get("lastError", "")) for t in targets]
            pytest.fail(f"{promql!r} had no result after {timeout_s} s; targets: {health}")
        time.sleep(0.2)
