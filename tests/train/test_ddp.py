"""Two-process DDP (gloo, CPU) through accelerate: same result as one process accumulating."""

import json
import os
import signal
import socket
import subprocess
import sys

import torch
from safetensors.torch import load_file

from domainsft.train import train


def _losses(path) -> list[float]:
    return [r["loss"] for r in map(json.loads, path.read_text().splitlines()) if "loss" in r]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_two_process_ddp_equals_one_process_with_accumulation(make_cfg, tmp_path):
    kw = dict(lora={"dropout": 0.0}, max_steps=3, pack_length=96, precision="fp32", device="cpu")
    single = make_cfg(out=tmp_path / "single", grad_accum=2, **kw)
    train(single, progress=False)
    ddp = make_cfg(out=tmp_path / "ddp", grad_accum=1, **kw)
    recipe = tmp_path / "ddp.yaml"
    recipe.write_text(json.dumps({"train": json.loads(ddp.model_dump_json())}))
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONWARNINGS": "ignore"}
    cmd = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--nproc_per_node",
        "2",
        "--master_port",
        str(_free_port()),
        "-m",
        "domainsft",
        "train",
        str(recipe),
    ]
    # own session, so that a hang kills the workers too, not only the launcher
    proc = subprocess.Popen(
        cmd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        out, _ = proc.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        raise AssertionError(f"DDP run hung; output:\n{out[-3000:]}") from None
    assert proc.returncode == 0, out[-3000:]
    summary = json.loads((ddp.out / "summary.json").read_text())
    assert summary["world_size"] == 2
    # same micro-batches per step, global token-mean loss: the two runs agree
    a, b = (_losses(run.out / "metrics.jsonl") for run in (single, ddp))
    assert len(a) == len(b) == 3
    assert all(abs(x - y) < 1e-4 for x, y in zip(a, b, strict=True))
    wa = load_file(single.out / "adapter" / "adapter_model.safetensors")
    wb = load_file(ddp.out / "adapter" / "adapter_model.safetensors")
    for k in wa:
        torch.testing.assert_close(wa[k], wb[k], atol=1e-5, rtol=1e-4)
