import torch

from domainsft.train import train
from domainsft.train.regularizers import Anchor


def test_l2sp_penalty_is_zero_at_start_and_grows_with_distance():
    model = torch.nn.Linear(3, 2)
    anchor = Anchor(model, weight=2.0)
    assert float(anchor.penalty()) == 0.0
    with torch.no_grad():
        model.weight += 1.0
    assert float(anchor.penalty()) == 0.5 * 2.0 * 6  # six weights moved by 1


def test_ewc_weights_the_pull_by_importance():
    model = torch.nn.Linear(2, 1, bias=False)
    importance = {"weight": torch.tensor([[4.0, 0.0]])}
    anchor = Anchor(model, weight=1.0, importance=importance)
    with torch.no_grad():
        model.weight += torch.tensor([[1.0, 1.0]])
    assert float(anchor.penalty()) == 2.0  # only the important weight is pulled back


def test_strong_l2sp_and_ewc_keep_weights_closer_to_the_start(make_cfg, tiny_model, tmp_path):
    from safetensors.torch import load_file

    start = load_file(tiny_model / "model.safetensors")
    moved = {}
    for name, kw in {"plain": {}, "l2sp": {"l2sp": 50.0}, "ewc": {"ewc": 50.0}}.items():
        cfg = make_cfg(method="full", out=tmp_path / name, lr=1e-2, **kw)
        s = train(cfg, progress=False)
        w = load_file(cfg.out / "model" / "model.safetensors")
        moved[name] = sum(float((w[k] - start[k]).pow(2).sum()) for k in start if ".layers." in k)
        assert s["final"]["loss"] > 0
    assert moved["l2sp"] < moved["plain"]
    assert moved["ewc"] < moved["plain"]
