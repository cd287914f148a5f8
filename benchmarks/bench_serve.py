"""``domainsft serve`` under load, beside the static-batch ``generate`` it replaces, one run.

1. Prompts: the answer pipeline's grounded prompts (rules, figures, report pages) for lookup
   questions over sample reports, trimmed to about --prompt-tokens tokens each, the reports
   interleaved. No prompt is asked twice (a repeated prompt would come back from the server's
   prefix cache whole); what the prefix cache reuses is what distinct prompts share: the
   system turn, and pages another question retrieved too.
2. Baseline: a static batch of 8 through ``model.generate`` (left padding, every row runs to
   --new-tokens), aggregate generated tokens/s.
3. The server (``domainsft serve`` as a subprocess, continuous batching) driven by 1, 8 and 32
   concurrent streaming clients for --seconds each: p50/p95 latency and time to first token,
   aggregate generated tokens/s, 4xx/5xx counts, the share of prompt tokens the prefix cache
   held (``--prefix-cache-mb 0``: without it). Every request asks for exactly --new-tokens
   (``ignore_eos``, as vLLM's benchmark does), so the phases compare like with like.
4. Eval: the same prompts answered with natural stopping (up to --eval-tokens) by the static
   batch and by the continuous engine, without and with the prefix cache
   (``eval.prefix_cache_mb``): the speed-up eval gets, and how many answers stay the same.

Targets (the "serve" issue): zero 5xx at 32 clients; at 8 clients >= 4x the single client's
aggregate tokens/s and >= 2x the static-batch baseline.

    python benchmarks/bench_serve.py                     # ~8 minutes on 2 cores
    python benchmarks/bench_serve.py --seconds 30 --clients 1,8
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def build_prompts(work: Path, n: int, target_tokens: int, tokenizer: Any) -> list[list[dict]]:
    """Grounded prompts of about ``target_tokens`` tokens from the pipeline itself."""
    from domainsft.assistant.pipeline import Assistant
    from domainsft.config import AssistantConfig
    from domainsft.corpus import load_facts
    from domainsft.models.chat import encode_chat

    corpus = work / "corpus"
    if not (corpus / "facts.jsonl").exists():
        cli = [sys.executable, "-m", "domainsft"]
        reports = work / "reports"
        subprocess.run(
            [
                *cli,
                "sample-reports",
                "--out",
                str(reports),
                "--companies",
                "2",
                "--years",
                "2022-2023",
                "--scanned-pages",
                "0",
            ],
            check=True,
        )
        subprocess.run(
            [*cli, "ingest", str(reports), "--out", str(corpus), "--ocr", "never"], check=True
        )
        subprocess.run(
            [*cli, "facts", str(corpus), "--out", str(corpus / "facts.jsonl")], check=True
        )
    facts = [f for f in load_facts(corpus) if f.unit != "text" and f.fiscal_year == f.report_year]
    assistant = Assistant(corpus, None, AssistantConfig(top_k=3, max_chars=1500))
    prompts: list[list[dict]] = []
    seen = set()
    for f in facts:
        if len(prompts) >= n:
            break
        name = f.company_short or f.company
        q = (
            f"{name}{f.fiscal_year}年的{f.label}是多少？"
            if f.lang == "zh"
            else f"What was {name}'s {f.label} in FY{f.fiscal_year}?"
        )
        if q in seen:
            continue
        seen.add(q)
        prompt = assistant.prompt_for(q)
        if prompt is None:
            continue
        prompts.append(_trim(prompt, target_tokens, tokenizer, encode_chat))
    if not prompts:
        raise SystemExit("no grounded prompts could be built from the sample corpus")
    return prompts


def _trim(prompt: list[dict], target: int, tokenizer: Any, encode: Any) -> list[dict]:
    """Cut the user turn's evidence until the prompt is at most ``target`` tokens."""
    user = prompt[-1]["content"]
    while (
        len(
            encode(
                tokenizer,
                [*prompt[:-1], {"role": "user", "content": user}],
                add_generation_prompt=True,
            )
        )
        > target
        and len(user) > 200
    ):
        user = user[: int(len(user) * 0.9)]
    return [*prompt[:-1], {"role": "user", "content": user}]


# ------------------------------------------------------------------------- baseline
def static_baseline(model: Any, tok: Any, prompts: list[list[dict]], new: int) -> dict:
    import torch
    from transformers import GenerationConfig

    from domainsft.models.chat import encode_chat
    from domainsft.models.generation import _autocast, left_pad, stop_token_ids

    stop = sorted(stop_token_ids(model, tok))
    pad = tok.pad_token_id if tok.pad_token_id is not None else stop[0]
    cfg = GenerationConfig(
        max_new_tokens=new, min_new_tokens=new, do_sample=False, eos_token_id=stop, pad_token_id=pad
    )
    batches = [prompts[i : i + 8] for i in range(0, len(prompts), 8)]
    tokens, start = 0, time.perf_counter()
    for batch in batches:
        ids, mask = left_pad([encode_chat(tok, p, add_generation_prompt=True) for p in batch], pad)
        # generate()'s own rule: autocast only where the weights are not half precision already
        with torch.inference_mode(), _autocast(model, torch.device("cpu"), True):
            out = model.generate(input_ids=ids, attention_mask=mask, generation_config=cfg)
        tokens += (out.shape[1] - ids.shape[1]) * out.shape[0]
    seconds = time.perf_counter() - start
    return {"tokens": tokens, "seconds": seconds, "tok_s": tokens / seconds}


# ------------------------------------------------------------------------- load phases
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def one_request(port: int, prompt: list[dict], new: int) -> dict:
    body = {
        "model": "base",
        "messages": prompt,
        "max_tokens": new,
        "stream": True,
        "ignore_eos": True,
        "stream_options": {"include_usage": True},
        "domainsft": {"grounding": False},
    }
    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    try:
        conn.request(
            "POST", "/v1/chat/completions", json.dumps(body), {"Content-Type": "application/json"}
        )
        resp = conn.getresponse()
        if resp.status != 200:
            resp.read()
            return {"status": resp.status, "start": start, "end": time.perf_counter()}
        first, tokens, cached, prompt_tokens = None, 0, 0, 0
        for raw in resp:
            line = raw.decode().strip()
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            chunk = json.loads(line[6:])
            if chunk.get("usage"):
                tokens = chunk["usage"]["completion_tokens"]
                cached = (chunk["usage"].get("prompt_tokens_details") or {}).get("cached_tokens", 0)
                prompt_tokens = chunk["usage"]["prompt_tokens"]
            choices = chunk.get("choices") or []
            if first is None and choices and choices[0].get("delta", {}).get("content"):
                first = time.perf_counter()
        end = time.perf_counter()
        return {
            "status": 200,
            "start": start,
            "end": end,
            "ttft": (first or end) - start,
            "latency": end - start,
            "tokens": tokens,
            "cached": cached,
            "prompt_tokens": prompt_tokens if tokens else 0,
        }
    except OSError as exc:
        return {"status": 599, "start": start, "end": time.perf_counter(), "error": str(exc)}
    finally:
        conn.close()


class Prompts:
    """Hands out the prompts in turn, each once over the whole benchmark: a prompt asked twice
    would come back from the server's prefix cache whole, which real traffic rarely does."""

    def __init__(self, prompts: list[list[dict]]):
        self.prompts, self.next, self.repeats = prompts, 0, 0
        self._lock = threading.Lock()

    def take(self) -> list[dict]:
        with self._lock:
            if self.next >= len(self.prompts):
                self.repeats += 1  # ran out: reported
            p = self.prompts[self.next % len(self.prompts)]
            self.next += 1
            return p


def phase(port: int, source: Prompts, clients: int, seconds: float, new: int) -> dict:
    results: list[dict] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client(i: int) -> None:
        while time.perf_counter() < deadline:
            r = one_request(port, source.take(), new)
            with lock:
                results.append(r)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    ok = [r for r in results if r["status"] == 200]
    lat = sorted(r["latency"] for r in ok)
    ttft = sorted(r["ttft"] for r in ok)
    tokens = sum(r["tokens"] for r in ok)
    return {
        "clients": clients,
        "requests": len(results),
        "ok": len(ok),
        "4xx": sum(400 <= r["status"] < 500 for r in results),
        "5xx": sum(r["status"] >= 500 for r in results),
        "p50_s": _q(lat, 0.5),
        "p95_s": _q(lat, 0.95),
        "ttft_p50_s": _q(ttft, 0.5),
        "ttft_p95_s": _q(ttft, 0.95),
        "tokens": tokens,
        "wall_s": wall,
        "tok_s": tokens / wall,
        "cached_share": sum(r["cached"] for r in ok) / max(1, sum(r["prompt_tokens"] for r in ok)),
    }


def _q(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(q * len(values)))]


def start_server(
    model: str, port: int, max_batch: int, log: Path, prefix_mb: float
) -> subprocess.Popen:
    cmd = [
        sys.executable,
        "-m",
        "domainsft",
        "serve",
        "--model",
        model,
        "--port",
        str(port),
        "--max-batch",
        str(max_batch),
        "--set",
        "serve.max_waiting=256",
        "--set",
        f"serve.prefix_cache_mb={prefix_mb}",
        "--set",
        "serve.api_key_env=null",
        "--set",
        f"serve.log_dir={log.parent}",
    ]
    env = {k: v for k, v in os.environ.items() if k != "DOMAINSFT_API_KEY"}
    proc = subprocess.Popen(cmd, stdout=log.open("w"), stderr=subprocess.STDOUT, env=env)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited; see {log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):
                return proc
        except OSError:
            time.sleep(0.5)
    proc.terminate()
    raise SystemExit(f"the server did not come up in 300 s; see {log}")


# ------------------------------------------------------------------------- eval speed
def eval_speed(
    model: Any, tok: Any, prompts: list[list[dict]], new: int, batch: int, prefix_mb: float
) -> dict:
    from domainsft.models import generate
    from domainsft.models.engine import Engine, Sampling

    start = time.perf_counter()
    static = generate(model, tok, prompts, max_new_tokens=new, batch_size=batch, progress=False)
    static_s = time.perf_counter() - start

    def continuous(mb: float) -> tuple[list[Any], float, int]:
        engine = Engine(
            model, tok, max_batch=batch, max_waiting=1 << 20, background=False,
            prefix_cache_mb=mb,
        )  # fmt: skip
        try:
            start = time.perf_counter()
            out = engine.generate(prompts, Sampling(max_new_tokens=new))
            return out, time.perf_counter() - start, engine.prefix.hits
        finally:
            engine.close()

    cont, cont_s, _ = continuous(0)
    cached, cached_s, hits = continuous(prefix_mb)
    pads = sum(r.n_pad_tokens for r in static)
    positions = sum(r.n_pad_tokens + r.n_prompt_tokens + r.n_new_tokens for r in static)
    same = sum(a.text == b.text for a, b in zip(static, cont, strict=True))
    same_cached = sum(a.text == b.text for a, b in zip(cont, cached, strict=True))
    return {
        "static_s": static_s,
        "continuous_s": cont_s,
        "speedup": static_s / cont_s,
        "prefix_cached_s": cached_s,
        "prefix_speedup": static_s / cached_s,
        "prefix_hit_share": hits / sum(r.n_prompt_tokens for r in cached),
        "same_with_prefix_cache": same_cached,
        "static_pad_share": pads / positions,
        "same_answers": same,
        "n": len(prompts),
        "new_tokens": sum(r.n_new_tokens for r in cont),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--work", type=Path, default=Path("runs/bench_serve"))
    ap.add_argument("--model", default="default")
    ap.add_argument("--clients", default="1,8,32")
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--new-tokens", type=int, default=64)
    ap.add_argument("--prompt-tokens", type=int, default=450)
    ap.add_argument("--max-batch", type=int, default=16)
    ap.add_argument("--eval-tokens", type=int, default=128)
    ap.add_argument("--eval-prompts", type=int, default=24)
    ap.add_argument(
        "--prompts", type=int, default=400,
        help="distinct prompts built (each request asks a new one while they last)",
    )  # fmt: skip
    ap.add_argument(
        "--prefix-cache-mb", type=float, default=512,
        help="the server's and eval's prefix cache (serve.prefix_cache_mb, off by default in "
        "serve and eval); 0: off here too",
    )  # fmt: skip
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)

    from domainsft.models import load_model

    spec = None if args.model == "default" else args.model
    # the server's weights (``serve``/``eval`` dtype "auto": bf16 on a CPU with native bf16), so
    # the baseline and the server run the same arithmetic
    model, tok = load_model(spec, trainable=False, dtype="auto")
    weights = next(model.parameters()).dtype
    prompts = build_prompts(args.work, args.prompts, args.prompt_tokens, tok)
    # reports interleaved: consecutive requests need not be about the same report
    random.Random(0).shuffle(prompts)
    from domainsft.models.chat import encode_chat

    lengths = [len(encode_chat(tok, p, add_generation_prompt=True)) for p in prompts]
    print(
        f"{len(prompts)} grounded prompts, {statistics.mean(lengths):.0f} tokens on average "
        f"(min {min(lengths)}, max {max(lengths)}); {args.new_tokens} new tokens each; "
        f"weights {str(weights).removeprefix('torch.')}"
    )

    base = static_baseline(model, tok, prompts[-16:], args.new_tokens)
    print(
        f"baseline static batch of 8: {base['tokens']} tokens in {base['seconds']:.1f} s = "
        f"{base['tok_s']:.1f} tokens/s"
    )
    ev = eval_speed(
        model, tok, prompts[-args.eval_prompts :], args.eval_tokens, 8, args.prefix_cache_mb
    )
    print(
        f"eval ({ev['n']} prompts, natural stopping, <= {args.eval_tokens} tokens, batch 8): "
        f"static {ev['static_s']:.1f} s (padding {ev['static_pad_share']:.0%} of positions), "
        f"continuous {ev['continuous_s']:.1f} s -> {ev['speedup']:.2f}x; "
        f"{ev['same_answers']}/{ev['n']} answers identical; with the prefix cache "
        f"{ev['prefix_cached_s']:.1f} s -> {ev['prefix_speedup']:.2f}x "
        f"({ev['prefix_hit_share']:.0%} of prompt tokens cached, "
        f"{ev['same_with_prefix_cache']}/{ev['n']} answers as without it)"
    )
    del model

    port = free_port()
    log = args.work / "server.log"
    proc = start_server(args.model, port, args.max_batch, log, args.prefix_cache_mb)
    rows = []
    # the load phases take prompts from the front; the baseline and eval used the back
    source = Prompts(prompts[: len(prompts) - max(16, args.eval_prompts)])
    try:
        one_request(port, source.take(), 4)  # warm-up (first forward pays for kernels)
        for n in (int(x) for x in args.clients.split(",")):
            row = phase(port, source, n, args.seconds, args.new_tokens)
            rows.append(row)
            print(
                f"{n:>3} clients: {row['requests']} requests ({row['5xx']} 5xx, {row['4xx']} "
                f"4xx), latency p50 {row['p50_s']:.1f} s p95 {row['p95_s']:.1f} s, TTFT p50 "
                f"{row['ttft_p50_s']:.2f} s p95 {row['ttft_p95_s']:.2f} s, "
                f"{row['tok_s']:.1f} generated tokens/s, "
                f"{row['cached_share']:.0%} of prompt tokens from the prefix cache"
            )
    finally:
        proc.terminate()
        proc.wait(60)
    by = {r["clients"]: r for r in rows}
    summary = {
        "baseline": base,
        "eval": ev,
        "phases": rows,
        "prompt_tokens_mean": statistics.mean(lengths),
        "weights": str(weights).removeprefix("torch."),
        "prefix_cache_mb": args.prefix_cache_mb,
        "prompts": len(prompts),
        "repeated_prompts": source.repeats,
    }
    if source.repeats:
        print(f"note: {source.repeats} requests repeated a prompt (give more --prompts)")
    if 1 in by and 8 in by:
        r1, r8 = by[8]["tok_s"] / by[1]["tok_s"], by[8]["tok_s"] / base["tok_s"]
        summary |= {"8_vs_1": r1, "8_vs_static": r8}
        print(f"8 clients vs 1: {r1:.2f}x (target >= 4); vs static batch: {r8:.2f}x (target >= 2)")
    if 32 in by:
        print(f"32 clients: {by[32]['5xx']} 5xx (target 0)")
    (args.work / "bench_serve.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    print(f"-> {args.work / 'bench_serve.json'}")


if __name__ == "__main__":
    main()
