"""report.html: contents, escaping, missing values, and a headless-Chromium screenshot that
must show a drawn page (not a blank or broken one)."""

from __future__ import annotations

import copy
import os
import random
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from domainsft.eval.report import lower_is_better, render_report, write_report

METRICS = {
    "exact_match": 0.81,
    "key_number_accuracy": 0.7,
    "cot_consistency": 0.9,
    "citation_precision": 0.95,
    "hallucinated_number_rate": 0.03,
    "perplexity": 3.2,
    "part_recall": None,
}
EVIL = "<script>alert(1)</script> & 营业收入为 1,175 亿元"


def _task(suite: str, metrics: dict, families: dict, errors: dict, speed: float) -> dict:
    n = sum(errors.values())
    return {
        "n": n,
        "suite": suite,
        "mode": "strict",
        "metrics": metrics,
        "applicable": {"exact_match": n - 1},
        "by_family": families,
        "errors": errors,
        "latency": {"p50_s": 1.2 / speed, "p95_s": 3.4 / speed, "tokens_per_s": 77.0 * speed},
        "tokens": {"truncated_share": 0.05, "padded_share": 0.12, "prompt_tokens": 20000},
    }


def _run(name: str, gain: float, general_em: float, speed: float = 1.0) -> dict:
    """A results.json: the domain task ``test`` (``gain`` added to its accuracies) and the
    ``general`` task that the forgetting verdict reads."""
    metrics = {
        k: v + gain if k in ("exact_match", "key_number_accuracy") else v
        for k, v in METRICS.items()
    }
    families = {
        "lookup": {"n": 14, "exact_match": 0.93},
        "derived": {"n": 30, "exact_match": 0.6 + gain},
        "趋势 trend": {"n": 20, "exact_match": 0.55 + 2 * gain, "key_number_accuracy": 0.5},
    }
    wrong = round(10 - 100 * gain)
    errors = {
        "correct": 60 + 10 - wrong,
        "wrong:value": wrong,
        "wrong:scale": 2,
        "unparseable:no number": 5,
    }
    general = _task(
        "general",
        {"exact_match": general_em, "perplexity": 5.1 + (0.40 - general_em) * 4},
        {
            "arithmetic": {"n": 50, "exact_match": general_em},
            "reading": {"n": 50, "exact_match": 0.5},
        },
        {"correct": 40, "wrong:value": 60},
        speed,
    )
    return {
        "name": name,
        "model": {"model": f"models/{name}", "adapter": None, "endpoint": None},
        "created": "2026-11-25T23:00:00Z",
        "domainsft_version": "0.1.0",
        "tasks": {"test": _task("dataset", metrics, families, errors, speed), "general": general},
    }


def _samples(name: str, speed: float) -> list[dict]:
    """Records of samples.jsonl for ``test``: every third one correct, latency log-normal."""
    rng = random.Random(name)
    return [
        {
            "task": "test",
            "id": f"{name}-{k}",
            "family": "derived",
            "lang": "zh",
            "prompt": [{"role": "user", "content": f"2019年营业收入是多少？ q{k} & <b>"}],
            "output": EVIL + (" 计算过程：" + "3.2 / 25.9 = 12.35%；" * 80 if k == 1 else ""),
            "gold": {"answer": "11.75亿元"},
            "verdict": "wrong" if k % 3 else "correct",
            "reason": "value: 1175 vs 11.75",
            "latency_s": rng.lognormvariate(0.2, 0.5) / speed,
        }
        for k in range(120)
    ]


RUNS = [_run("base", 0.0, 0.40), _run("ft-v1", 0.06, 0.35, speed=1.4)]
SAMPLES = {"base": _samples("base", 1.0), "ft-v1": _samples("ft-v1", 1.4)}


def test_two_runs_show_every_task_metric_family_and_the_forgetting_verdict():
    html = render_report(RUNS, SAMPLES)
    for text in ("test", "general", "lookup", "趋势 trend", "wrong:scale", *METRICS):
        assert text in html, text
    assert 'id="forgetting"' in html
    assert "ft-v1: general ability dropped by 5.0 points" in html
    assert "+6.0 pt" in html  # exact_match delta on the test task


def test_forgetting_within_tolerance_reads_kept():
    runs = [_run("base", 0.0, 0.40), _run("ft", 0.0, 0.39)]
    assert "general ability kept within 2 points" in render_report(runs)


def test_data_is_escaped_and_the_page_has_no_script():
    html = render_report(RUNS, SAMPLES)
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; 营业收入为" in html
    assert "&lt;b&gt;" in html


def test_page_is_self_contained():
    """No scripts, no fetches: fonts, styles and charts all travel inside the file."""
    html = render_report(RUNS, SAMPLES)
    for needle in ("http://", "https://", "url(", "@import", "<link", "<img", "<iframe"):
        assert needle not in html, needle
    assert "<svg" in html and "Content-Security-Policy" in html


def test_missing_metric_renders_a_dash():
    html = render_report([_run("solo", 0.0, 0.4)])
    row = html[html.index("<code>part_recall</code>") :]
    assert row.split("</tr>")[0].count("–") == 1


def test_single_run_has_no_forgetting_section():
    html = render_report([RUNS[0]], {"base": SAMPLES["base"]})
    assert 'id="forgetting"' not in html and "general ability" not in html


def test_lower_is_better_rule():
    for name in (
        "perplexity",
        "part_miss_rate",
        "hallucinated_number_rate",
        "p95_s",
        "x_truncated",
    ):
        assert lower_is_better(name), name
    for name in ("exact_match", "citation_recall", "tokens_per_s", "disclaimer_ok"):
        assert not lower_is_better(name), name


def test_odd_inputs_still_render():
    run = copy.deepcopy(RUNS[0])
    run["tasks"]["test"]["metrics"]["new_metric"] = "n/a"
    run["tasks"]["营收"] = {"n": 0, "metrics": {"exact_match": float("nan")}}
    run["tasks"]["broken"] = ["not", "a", "task"]
    html = render_report([run, {"name": "empty"}])
    assert "new_metric" in html and "营收" in html


def _skip_or_fail(reason: str, fix: str) -> None:
    """Skip here, fail in CI: CI must render, so a missing tool may not pass silently."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason}: {fix}")
    pytest.skip(reason)


def _chromium() -> str:
    names = ("chromium", "chromium-browser", "google-chrome")
    found = next((path for path in map(shutil.which, names) if path), None)
    if found is None:
        _skip_or_fail(
            "no chromium binary on PATH", "install Debian package chromium (make setup does)"
        )
    return found


def _screenshot(html: Path, png: Path, home: Path) -> float:
    """Render ``html`` headless into a 1280×2000 ``png``; returns Chromium's seconds. It runs
    in its own session so a hang kills its renderer and GPU helpers too."""
    cmd = [
        _chromium(),
        "--headless=new",
        "--no-sandbox",  # CI containers run as root, where the sandbox refuses to start
        "--disable-gpu",
        "--disable-dev-shm-usage",  # Docker's 64 MB /dev/shm crashes large pages
        "--hide-scrollbars",
        "--no-first-run",
        f"--user-data-dir={home / 'profile'}",
        "--window-size=1280,2000",
        f"--screenshot={png}",
        html.resolve().as_uri(),
    ]
    env = {**os.environ, "HOME": str(home)}
    start = time.monotonic()
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        log, _ = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        log, _ = proc.communicate()
        pytest.fail(f"chromium did not finish in 60 s:\n{log.decode(errors='replace')[-2000:]}")
    assert proc.returncode == 0 and png.exists(), log.decode(errors="replace")[-2000:]
    return time.monotonic() - start


def _pixel_stats(png: Path) -> dict[str, float]:
    """Share of non-background pixels, distinct colours, and pixels of each run's colour."""
    try:
        from PIL import Image
    except ImportError:
        _skip_or_fail("Pillow is not installed", "pip install -e '.[all]' (make setup does)")
    img = Image.open(png).convert("RGB")
    colours = img.getcolors(maxcolors=img.width * img.height)
    count, background = max(colours)
    return {
        "size": img.size,
        "background": background,
        "drawn": 1 - count / (img.width * img.height),
        "colours": len(colours),
        "blue": _near(colours, (0x38, 0x67, 0xB0)),
        "orange": _near(colours, (0xE0, 0x84, 0x2F)),
    }


def _near(colours: list, ref: tuple[int, int, int], tol: int = 6) -> int:
    """Pixels within ``tol`` per channel of ``ref``."""
    return sum(
        n for n, rgb in colours if all(abs(a - b) <= tol for a, b in zip(rgb, ref, strict=True))
    )


def test_report_renders_in_headless_chromium(tmp_path):
    """A blank, unstyled or chart-less page fails. Measured on this report: 12% of the first
    screen drawn, ~1600 colours, ~60k pixels per run colour; a text-only page draws 3% in
    ~230 colours, a blank one 0% in one colour."""
    out = write_report(RUNS, tmp_path / "report.html", SAMPLES)
    png = tmp_path / "report.png"
    _screenshot(out, png, tmp_path)
    stats = _pixel_stats(png)
    assert stats["size"] == (1280, 2000) and stats["background"] == (255, 255, 255), stats
    assert stats["drawn"] > 0.06, stats
    assert stats["colours"] > 400, stats
    assert stats["blue"] > 5000 and stats["orange"] > 5000, stats
