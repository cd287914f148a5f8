"""A small hyper-parameter sweep of a run's training, measured on held-out reports.

Each point trains a fresh adapter on the run's own dataset (``domainsft train
RUN/config.yaml --set ...``, so everything not named in the point is the recipe's) and then
answers the held-out questions through the answer pipeline (``assistant_heldout.py``: grounded,
and grounded + verified), with the prompts shaped by the recipe's ``assistant`` section. The base
model is measured once, on the same questions, in the same run; the table prints every point
next to it.

    python benchmarks/sweep_train.py --run runs/annual_report \\
        --corpus runs/heldout/corpus --data runs/heldout/questions.jsonl --per-family 4 \\
        --point lr3e-4: --point lr1e-3:train.lr=1e-3 \\
        --point r64-lr1e-3:train.lr=1e-3,train.lora.r=64,train.lora.alpha=128

A point is ``NAME:key=value,key=value`` (nothing after the colon: the recipe as it is). Results
go to ``--out`` (default ``runs/sweep``): ``NAME/`` (the adapter), ``NAME.json`` and
``base.json`` (the benchmark's figures); a point whose json exists is not run again.

Held-out questions: build them from reports of companies the run never saw, e.g. sample
reports with another seed (``domainsft sample-reports --seed 11``, then ingest, facts and
build-dataset with the run's config; every split is held out from the run's point of view).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
FAMILIES = ("claim", "compare", "derived", "info", "lookup", "multi", "negative", "summary",
            "trend", "yoy")  # fmt: skip


def heldout(args, out_json: Path, adapter: Path | None) -> dict:
    if not out_json.exists():
        cmd = [sys.executable, str(ROOT / "assistant_heldout.py"), "--corpus", str(args.corpus),
               "--data", str(args.data), "--config", str(args.run / "config.yaml"),
               "--per-family", str(args.per_family), "--json", str(out_json),
               "--out", str(out_json.with_suffix(".answers.jsonl"))]  # fmt: skip
        if adapter is not None:
            cmd += ["--adapter", str(adapter)]
        subprocess.run(cmd, check=True)
    return json.loads(out_json.read_text(encoding="utf-8"))


def train(args, name: str, sets: list[str]) -> float:
    out = args.out / name
    if (out / "adapter" / "adapter_config.json").exists():
        return float(json.loads((args.out / f"{name}.train.json").read_text())["seconds"])
    cmd = [sys.executable, "-m", "domainsft", "train", str(args.run / "config.yaml"),
           "--out", str(out)]  # fmt: skip
    for s in sets:
        cmd += ["--set", s]
    start = time.perf_counter()
    subprocess.run(cmd, check=True)
    seconds = time.perf_counter() - start
    (args.out / f"{name}.train.json").write_text(json.dumps({"sets": sets, "seconds": seconds}))
    return seconds


def row(name: str, figures: dict, seconds: float | None) -> str:
    fam = figures["families"]

    def pct(family: str, key: str) -> str:
        value = fam.get(family, {}).get(key)
        return f"{value:6.1%}" if value is not None else "     -"

    cells = " ".join(pct(f, "grounded:key_number_accuracy") for f in FAMILIES)
    took = f"{seconds / 60:5.1f}" if seconds is not None else "    -"
    return (f"{name:18s} {took}  {pct('all', 'grounded:key_number_accuracy')} "
            f"{pct('all', 'verified:key_number_accuracy')} {pct('all', 'grounded:exact_match')} "
            f"{figures['corrected']:4d}  | {cells}")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--run", type=Path, required=True, help="a finished `domainsft run` folder")
    ap.add_argument("--corpus", type=Path, required=True, help="the held-out corpus")
    ap.add_argument("--data", type=Path, required=True, help="held-out questions (JSONL)")
    ap.add_argument("--per-family", type=int, default=4)
    ap.add_argument("--point", action="append", default=[], help="NAME:key=value,...")
    ap.add_argument("--out", type=Path, default=Path("runs/sweep"))
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    base = heldout(args, args.out / "base.json", None)
    lines = [row("base (no training)", base, None)]
    for point in args.point:
        name, _, spec = point.partition(":")
        # a comma inside [...] belongs to a list value (train.lora.target_modules=[q_proj,v_proj])
        sets = [s for s in re.split(r",(?![^\[]*\])", spec) if s]
        seconds = train(args, name, sets)
        figures = heldout(args, args.out / f"{name}.json", args.out / name / "adapter")
        lines.append(row(name, figures, seconds))
    print(f"\n{base['questions']} held-out questions from {args.data}; key-number accuracy (KNA), "
          "exact match (EM), figures the verifier corrected")  # fmt: skip
    print(f"{'point':18s} train  KNA g  KNA+v   EM g  corr  | grounded KNA by family: "
          + " ".join(f"{f[:6]:>6s}" for f in FAMILIES))  # fmt: skip
    print("\n".join(lines))


if __name__ == "__main__":
    main()
