"""deploy/ holds no query the server cannot answer: every metric that a dashboard panel, a
template variable or an alert rule names is one ``ServeMetrics`` exports, the rule and config
files pass promtool, and each alert fires on the series it is about (promtool's rule unit
tests) and not before its ``for`` has passed.

A renamed metric would otherwise leave an empty panel or an alert that can never fire, which
nothing else notices. The PromQL extractor below is deliberately small: identifiers that are
not functions, aggregations or keywords, outside label matchers, ranges, groupings and strings.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from domainsft.serve.metrics import ServeMetrics
from tests.serve.prom import prometheus_binary

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
DASHBOARD = DEPLOY / "grafana" / "domainsft-dashboard.json"
ALERTS = DEPLOY / "prometheus" / "alerts.yml"
PROMETHEUS_YML = DEPLOY / "prometheus" / "prometheus.yml"

# -- a small PromQL metric-name extractor -------------------------------------------------------

_TOKEN = re.compile(
    r"""
      (?P<string>"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|`[^`]*`)
    | (?P<var>\$\{[^}]*\}|\$\w+|\[\[[^\]]*\]\])          # Grafana variables and macros
    | (?P<duration>\d+(?:ms|[smhdwy])(?:\d+(?:ms|[smhdwy]))*(?![\w.]))
    | (?P<number>0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
    | (?P<ident>[A-Za-z_:][A-Za-z0-9_:]*)
    | (?P<space>\s+|\#[^\n]*)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
AGGREGATIONS = {
    "sum", "avg", "min", "max", "count", "group", "stddev", "stdvar", "topk", "bottomk",
    "quantile", "count_values", "limitk", "limit_ratio",
}  # fmt: skip
GROUPINGS = {"by", "without", "on", "ignoring", "group_left", "group_right"}
KEYWORDS = {"bool", "and", "or", "unless", "offset", "atan2", "inf", "nan"}
_CLOSE = {"(": ")", "{": "}", "[": "]"}


def _tokens(expr: str) -> list[tuple[str, str]]:
    out = []
    for m in _TOKEN.finditer(expr):
        kind = m.lastgroup
        assert kind is not None
        if kind != "space":
            out.append((kind, m.group()))
    return out


def _closing(tokens: list[tuple[str, str]], start: int) -> int:
    """The index of the bracket that closes ``tokens[start]`` (strings are single tokens)."""
    opening = tokens[start][1]
    depth = 0
    for i in range(start, len(tokens)):
        text = tokens[i][1]
        if tokens[i][0] == "other" and text == opening:
            depth += 1
        elif tokens[i][0] == "other" and text == _CLOSE[opening]:
            depth -= 1
            if depth == 0:
                return i
    raise ValueError(f"unbalanced {opening!r} in PromQL")


def selectors(expr: str) -> list[tuple[str, str]]:
    """Each metric a PromQL expression selects, with the text of its label matchers ("" when it
    has none), in order. ``{__name__="x"}`` selects x."""
    tokens = _tokens(expr)
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(tokens):
        kind, text = tokens[i]
        following = tokens[i + 1][1] if i + 1 < len(tokens) else ""
        if kind == "other" and text in "{[":
            end = _closing(tokens, i)
            if text == "{":  # a bare selector; only __name__ names a metric in it
                inner = tokens[i + 1 : end]
                for j in range(len(inner) - 2):
                    if inner[j][1] == "__name__" and inner[j + 1][1] == "=":
                        out.append((inner[j + 2][1][1:-1], ""))
            i = end + 1
            continue
        if kind == "ident":
            low = text.lower()
            if low in GROUPINGS:
                i = _closing(tokens, i + 1) + 1 if following == "(" else i + 1
                continue
            if low in KEYWORDS or low in AGGREGATIONS or following == "(":
                i += 1  # a function call, an aggregation or an operator keyword
                continue
            matchers = ""
            if following == "{":
                end = _closing(tokens, i + 1)
                matchers = "".join(t for _, t in tokens[i + 2 : end])
                out.append((text, matchers))
                i = end + 1
                continue
            out.append((text, matchers))
        i += 1
    return out


def metric_names(expr: str) -> set[str]:
    return {name for name, _ in selectors(expr)}


def variable_exprs(query: str) -> list[str]:
    """The PromQL inside a Grafana Prometheus variable query."""
    q = query.strip()
    if m := re.fullmatch(r"label_values\((.*)\)", q, re.DOTALL):
        expr, comma, _label = m.group(1).rpartition(",")
        return [expr] if comma else []  # label_values(label) names no metric
    if m := re.fullmatch(r"query_result\((.*)\)", q, re.DOTALL):
        return [m.group(1)]
    if re.match(r"(label_names|metrics)\(", q):
        return []
    return [q]


@pytest.mark.parametrize(
    ("expr", "names"),
    [
        (
            'histogram_quantile(0.95, sum by (version, le) (rate(a:lat_bucket{version=~"$version"}'
            "[$__rate_interval])))",
            {"a:lat_bucket"},
        ),
        ("sum(rate(x_total[5m])) by (job) / ignoring(code) group_left(team) y", {"x_total", "y"}),
        ("up offset 1h30m and on(instance) c > bool 1e3", {"up", "c"}),
        ('{__name__="by_name", job="j"} + count_values("value", d)', {"by_name", "d"}),
        ('e{le="0.5", path="/a{b}[c]"} * Inf - NaN', {"e"}),
        ("rate(f[5m:30s]) @ start() + max_over_time(g[1h])", {"f", "g"}),
        ("sum without (instance) (h) unless topk(3, i)", {"h", "i"}),
        ("  # a comment naming nothing\n  j", {"j"}),
    ],
)
def test_the_extractor(expr: str, names: set[str]) -> None:
    assert metric_names(expr) == names


def test_the_extractor_reads_variable_queries() -> None:
    assert variable_exprs("label_values(domainsft:requests_total, version)") == [
        "domainsft:requests_total"
    ]
    assert variable_exprs("label_values(version)") == []
    assert variable_exprs('query_result(count by (v) (k{a="b"}))') == ['count by (v) (k{a="b"})']
    assert selectors('m{version=~"$version", a="1"}') == [("m", 'version=~"$version",a="1"')]


# -- the files --------------------------------------------------------------------------------


def _panels(panels: list[dict]) -> list[dict]:
    out = []
    for p in panels:
        out.append(p)
        out.extend(_panels(p.get("panels", [])))  # a collapsed row holds its panels
    return out


def dashboard_exprs(dashboard: dict) -> dict[str, str]:
    """Every PromQL expression of a dashboard, keyed by where it is."""
    out = {}
    for p in _panels(dashboard.get("panels", [])):
        for t in p.get("targets", []):
            if t.get("expr"):
                out[f"panel {p['title']!r} {t.get('refId', '')}"] = t["expr"]
    for v in dashboard.get("templating", {}).get("list", []):
        if v.get("type") == "query":
            q = v.get("query")
            q = q.get("query", "") if isinstance(q, dict) else q or v.get("definition", "")
            for expr in variable_exprs(q):
                out[f"variable {v['name']!r}"] = expr
    return out


def alert_exprs(rules: dict) -> dict[str, str]:
    return {
        f"rule {r.get('alert') or r.get('record')!r}": r["expr"]
        for g in rules["groups"]
        for r in g["rules"]
    }


def unknown_metrics(exprs: dict[str, str], known: set[str]) -> dict[str, set[str]]:
    out = {where: metric_names(e) - known for where, e in exprs.items()}
    return {where: names for where, names in out.items() if names}


@pytest.fixture(scope="module")
def dashboard() -> dict:
    return json.loads(DASHBOARD.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def rules() -> dict:
    return yaml.safe_load(ALERTS.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def exported() -> set[str]:
    return ServeMetrics().exported_names()


def test_dashboard_names_only_exported_metrics(dashboard: dict, exported: set[str]) -> None:
    exprs = dashboard_exprs(dashboard)
    assert len(exprs) >= 20  # every panel's targets and the version variable were read
    assert unknown_metrics(exprs, exported) == {}
    named = set().union(*(metric_names(e) for e in exprs.values()))
    # every metric family the server exports is on the dashboard
    families = {re.sub(r"_(bucket|sum|count|total)$", "", n) for n in exported}
    shown = {re.sub(r"_(bucket|sum|count|total)$", "", n) for n in named}
    assert families - shown == set()


def test_alerts_name_only_exported_metrics(rules: dict, exported: set[str]) -> None:
    exprs = alert_exprs(rules)
    assert len(exprs) == 3
    assert unknown_metrics(exprs, exported) == {}


def test_an_unknown_metric_is_caught(dashboard: dict, exported: set[str]) -> None:
    broken = json.loads(json.dumps(dashboard))
    broken["panels"][1]["targets"][0]["expr"] = (
        'sum by (version) (rate(domainsft:request_total{version=~"$version"}[5m]))'
    )
    broken["templating"]["list"][1]["query"]["query"] = "label_values(domainsft:nope, version)"
    assert unknown_metrics(dashboard_exprs(broken), exported) == {
        f"panel {broken['panels'][1]['title']!r} A": {"domainsft:request_total"},
        "variable 'version'": {"domainsft:nope"},
    }


def test_dashboard_shape(dashboard: dict) -> None:
    assert 36 <= dashboard["schemaVersion"] <= 41
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    assert variables["DS_PROMETHEUS"]["type"] == "datasource"
    assert variables["DS_PROMETHEUS"]["query"] == "prometheus"
    version = variables["version"]
    assert version["definition"] == "label_values(domainsft:requests_total, version)"
    assert version["includeAll"] and version["multi"] and version["allValue"] == ".*"
    panels = [p for p in _panels(dashboard["panels"]) if p["type"] != "row"]
    assert len({p["id"] for p in _panels(dashboard["panels"])}) == len(_panels(dashboard["panels"]))
    for p in panels:
        assert p["datasource"]["uid"] == "${DS_PROMETHEUS}", p["title"]
        for t in p["targets"]:
            found = selectors(t["expr"])
            assert found, p["title"]
            for name, matchers in found:  # filtered by the version variable...
                assert 'version=~"$version"' in matchers, (p["title"], name)
            assert re.search(r"\bby \(version\b", t["expr"]), p["title"]  # ...broken down by it
            assert "{{version}}" in t["legendFormat"], p["title"]


def test_alerts_shape(rules: dict) -> None:
    by_name = {r["alert"]: r for g in rules["groups"] for r in g["rules"]}
    assert {n: r["for"] for n, r in by_name.items()} == {
        "DomainsftHighLatencyP95": "5m",
        "DomainsftHigh5xxShare": "5m",
        "DomainsftHighVerifierFailureRate": "10m",
    }
    for name, rule in by_name.items():
        assert rule["labels"]["severity"] in ("warning", "critical"), name
        assert rule["annotations"]["summary"] and rule["annotations"]["description"], name
        assert "$labels.version" in rule["annotations"]["summary"], name
        assert "by (version" in rule["expr"], name  # one alert per version


# -- promtool -----------------------------------------------------------------------------------


def promtool(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [prometheus_binary("promtool"), *args], capture_output=True, text=True, timeout=60
    )


def test_promtool_checks_the_rules() -> None:
    out = promtool("check", "rules", str(ALERTS))
    assert out.returncode == 0, out.stdout + out.stderr


def test_promtool_checks_the_config(tmp_path: Path) -> None:
    # A copy laid out as docker-compose mounts it (/etc/prometheus/): the config names its rule
    # file relatively, and `check config` fails on a rule file it cannot find.
    config = yaml.safe_load(PROMETHEUS_YML.read_text(encoding="utf-8"))
    assert config["rule_files"] == ["alerts.yml"]
    job = config["scrape_configs"][0]
    assert job["job_name"] == "domainsft"
    assert job["static_configs"][0]["targets"] == ["domainsft:8000"]
    (tmp_path / "prometheus.yml").write_bytes(PROMETHEUS_YML.read_bytes())
    (tmp_path / "alerts.yml").write_bytes(ALERTS.read_bytes())
    out = promtool("check", "config", str(tmp_path / "prometheus.yml"))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "1 rule files found" in out.stdout + out.stderr


def _series(name: str, values: str, **labels: str) -> dict:
    matchers = ",".join(f'{k}="{v}"' for k, v in labels.items())
    return {"series": f"{name}{{{matchers}}}", "values": values}


def _fires(alert: str, at: str, *versions: str, severity: str) -> dict:
    return {
        "eval_time": at,
        "alertname": alert,
        "exp_alerts": [{"exp_labels": {"severity": severity, "version": v}} for v in versions],
    }


def test_each_alert_fires_on_its_version_after_its_for(tmp_path: Path, rules: dict) -> None:
    # promtool compares annotations exactly; those are checked above, so the unit tests run on
    # a copy without them and hold the expressions, durations and labels.
    bare = json.loads(json.dumps(rules))
    for group in bare["groups"]:
        for rule in group["rules"]:
            rule.pop("annotations", None)
    rules_path = tmp_path / "alerts.yml"
    rules_path.write_text(yaml.safe_dump(bare), encoding="utf-8")

    lat = "domainsft:e2e_request_latency_seconds_bucket"
    req = "domainsft:requests_total"
    series = [
        # v1: every request between 10 s and 60 s (p95 ~57 s); base: all under 10 s
        _series(lat, "0x40", version="v1", le="10.0"),
        _series(lat, "0+10x40", version="v1", le="60.0"),
        _series(lat, "0+10x40", version="v1", le="+Inf"),
        _series(lat, "0+10x40", version="base", le="10.0"),
        _series(lat, "0+10x40", version="base", le="60.0"),
        _series(lat, "0+10x40", version="base", le="+Inf"),
        # v1: 6 of 66 requests a minute are 500s (9 %); base: 1 of 61 (1.6 %)
        _series(req, "0+60x40", version="v1", status="200"),
        _series(req, "0+6x40", version="v1", status="500"),
        _series(req, "0+60x40", version="base", status="200"),
        _series(req, "0+1x40", version="base", status="503"),
        # v1: 2 of 10 answers a minute fail the verifier (20 %); base: 1 of 20 (5 %)
        _series("domainsft:answers_total", "0+10x40", version="v1"),
        _series("domainsft:verifier_failures_total", "0+2x40", version="v1"),
        _series("domainsft:answers_total", "0+20x40", version="base"),
        _series("domainsft:verifier_failures_total", "0+1x40", version="base"),
    ]
    tests = {
        "rule_files": [str(rules_path)],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": series,
                "alert_rule_test": [
                    _fires("DomainsftHighLatencyP95", "3m", severity="warning"),  # pending
                    _fires("DomainsftHighLatencyP95", "15m", "v1", severity="warning"),
                    _fires("DomainsftHigh5xxShare", "3m", severity="critical"),
                    _fires("DomainsftHigh5xxShare", "15m", "v1", severity="critical"),
                    _fires("DomainsftHighVerifierFailureRate", "8m", severity="critical"),
                    _fires("DomainsftHighVerifierFailureRate", "25m", "v1", severity="critical"),
                ],
            }
        ],
    }
    tests_path = tmp_path / "alerts_test.yml"
    tests_path.write_text(yaml.safe_dump(tests, sort_keys=False), encoding="utf-8")
    out = promtool("test", "rules", str(tests_path))
    assert out.returncode == 0, out.stdout + out.stderr
