"""Two-process DDP (gloo, CPU) through accelerate: same result as one process accumulating."""

import json
import sys

import torch
from safetensors.torch import load_file

from domainsft.train import train
from tests.train.conftest import free_port, run_launcher


def _losses(path) -> list[float]:
    return [r["loss"] for r in map(json.loads, path.read_text().splitlines()) if "loss" in r]


def test_two_process_ddp_equals_one_process_with_accumulation(make_cfg, tmp_path):
    kw = dict(lora={"dropout": 0.0}, max_steps=3, pack_length=96, precision="fp32", device="cpu")
    single = make_cfg(out=tmp_path / "single", grad_accum=2, **kw)
    train(single, progress=False)
    ddp = make_cfg(out=tmp_path / "ddp", grad_accum=1, **kw)
    recipe = tmp_path / "ddp.yaml"
    recipe.write_text(json.dumps({"train": json.loads(ddp.model_dump_json())}))
    cmd = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--nproc_per_node",
        "2",
        "--master_port",
        str(free_port()),
        "-m",
        "domainsft",
        "train",
        str(recipe),
    ]
    run_launcher(cmd, timeout=300)
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
