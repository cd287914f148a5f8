"""Checkpoints: resume replays the uninterrupted loss curve exactly; saves are atomic."""

import json

import pytest
import torch

from domainsft.train import checkpoint, train
from domainsft.utils.jsonl import InputError


def _losses(path):
    return {
        r["step"]: r["loss"] for r in map(json.loads, path.read_text().splitlines()) if "loss" in r
    }


@pytest.mark.parametrize("packing", [True, False])
def test_resume_reproduces_the_loss_curve_exactly(make_cfg, tmp_path, packing):
    # dropout on, several epochs, grad accumulation: everything a resume must restore
    kw = dict(
        max_steps=None,
        epochs=3,
        grad_accum=2,
        lora={"dropout": 0.1},
        save_steps=2,
        packing=packing,
        pack_length=128,
        batch_size=3,
    )
    whole = make_cfg(out=tmp_path / "whole", **kw)
    train(whole, progress=False)
    parted = make_cfg(out=tmp_path / "parted", **kw)
    stopped = train(parted, progress=False, stop_after=3)
    assert stopped["stopped_at"] == 3
    assert (parted.out / "checkpoints" / "step-00000003").is_dir()
    train(parted, resume=True, progress=False)
    a, b = _losses(whole.out / "metrics.jsonl"), _losses(parted.out / "metrics.jsonl")
    assert len(a) >= 6 and a.keys() == b.keys()
    assert [a[s] for s in sorted(a)] == [b[s] for s in sorted(b)]  # bit-for-bit, every step
    from safetensors.torch import load_file

    wa = load_file(whole.out / "adapter" / "adapter_model.safetensors")
    wb = load_file(parted.out / "adapter" / "adapter_model.safetensors")
    assert all(torch.equal(wa[k], wb[k]) for k in wa)


def test_resume_without_checkpoint_says_how_to_start(make_cfg):
    with pytest.raises(InputError, match=r"no complete checkpoint.*run without --resume"):
        train(make_cfg(), resume=True, progress=False)


def test_a_kill_during_save_leaves_the_latest_checkpoint_intact(tmp_path, monkeypatch):
    root = tmp_path / "ckpt"
    checkpoint.save(root, 1, {"trainable": {"w": torch.ones(2)}}, {"step": 1}, keep=2)
    calls = {"n": 0}
    real = torch.save

    def dies_midway(obj, fh):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt("killed")  # as a SIGINT during the second file
        real(obj, fh)

    monkeypatch.setattr(torch, "save", dies_midway)
    with pytest.raises(KeyboardInterrupt):
        checkpoint.save(
            root, 2, {"trainable": {"w": torch.zeros(2)}, "optimizer": {}}, {"step": 2}, keep=2
        )
    monkeypatch.setattr(torch, "save", real)
    latest = checkpoint.latest(root)
    assert latest is not None and latest.name == "step-00000001"
    parts, state = checkpoint.load(latest)
    assert state["step"] == 1 and torch.equal(parts["trainable"]["w"], torch.ones(2))
    # the next save clears the debris and keeps only the newest N
    for step in (3, 4, 5):
        checkpoint.save(
            root, step, {"trainable": {"w": torch.full((2,), step)}}, {"step": step}, keep=2
        )
    assert sorted(p.name for p in root.iterdir()) == ["latest", "step-00000004", "step-00000005"]
    assert checkpoint.latest(root).name == "step-00000005"


def test_checkpoint_holds_everything_a_resume_needs(make_cfg):
    cfg = make_cfg(save_steps=2, l2sp=0.1)
    train(cfg, progress=False)
    parts, state = checkpoint.load(checkpoint.latest(cfg.out / "checkpoints"))
    assert {"trainable", "optimizer", "scheduler", "rng", "anchor"} <= parts.keys()
    assert state["step"] == 4 and state["tokens"] > 0
    assert all("lora_" in k for k in parts["trainable"])
