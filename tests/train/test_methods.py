"""Each method trains, and exactly its trainable parameters change; bad setups fail early."""

import json

import pytest
import torch

from domainsft.config import load_recipe
from domainsft.models import load_model
from domainsft.train import train
from domainsft.utils.jsonl import InputError


def _weights(path):
    from safetensors.torch import load_file

    files = sorted(path.glob("*.safetensors"))
    assert files, f"no safetensors in {path}"
    return {k: v for f in files for k, v in load_file(f).items()}


@pytest.mark.parametrize("method", ["lora", "adapter", "prefix"])
def test_peft_methods_train_their_adapter(make_cfg, method):
    cfg = make_cfg(method=method, precision="auto")
    s = train(cfg, progress=False)
    adapter = cfg.out / "adapter"
    config = json.loads((adapter / "adapter_config.json").read_text())
    assert (
        config["peft_type"] == {"lora": "LORA", "adapter": "IA3", "prefix": "PREFIX_TUNING"}[method]
    )
    model, _ = load_model(str(adapter), trainable=False)  # base + adapter, as eval/serve do
    fresh = dict(model.named_parameters())
    saved = _weights(adapter)
    assert saved
    assert 0 < s["trainable_params"] < s["total_params"] / 10
    # the adapter moved away from its initialisation (lora_B starts at 0, IA3 at 1)
    if method == "lora":
        assert any(v.abs().max() > 0 for k, v in saved.items() if "lora_B" in k)
    if method == "adapter":
        assert any((v - 1).abs().max() > 0 for v in saved.values())
    assert fresh  # loadable
    assert s["packing"] is (method != "prefix")


def test_full_finetuning_changes_every_layer_and_freezing_keeps_the_lowest(make_cfg, tiny_model):
    base = _weights(tiny_model)
    cfg = make_cfg(method="full", freeze_layers=1)
    train(cfg, progress=False)
    tuned = _weights(cfg.out / "model")
    layer0 = [k for k in base if ".layers.0." in k]
    layer1 = [k for k in base if ".layers.1." in k]
    assert all(torch.equal(base[k], tuned[k]) for k in layer0)
    assert all(not torch.equal(base[k], tuned[k]) for k in layer1 if k.endswith("proj.weight"))
    assert all(v.dtype == torch.float32 for v in tuned.values())


def test_lora_merge_writes_plain_safetensors(make_cfg):
    cfg = make_cfg(merge=True, lora={"target_modules": "all-linear"})
    s = train(cfg, progress=False)
    merged = _weights(cfg.out / "merged")
    assert not any("lora" in k for k in merged)
    assert str(cfg.out / "merged") in s["outputs"]
    card = (cfg.out / "training_card.md").read_text()
    assert "lora" in card and "all-linear" in card and "tokens/s" in card


def test_continued_training_starts_from_an_adapter(make_cfg, tmp_path):
    first = make_cfg(out=tmp_path / "v1", lora={"r": 4, "alpha": 8})
    train(first, progress=False)
    before = _weights(first.out / "adapter")
    # train.lora differs: a continued adapter keeps its own rank and scaling
    second = make_cfg(model=str(first.out / "adapter"), out=tmp_path / "v2")
    s = train(second, progress=False)
    after = _weights(second.out / "adapter")
    assert s["continued"] is True
    assert before.keys() == after.keys()
    assert all(before[k].shape == after[k].shape for k in before)
    assert any(not torch.equal(before[k], after[k]) for k in before)
    made, went_on = (json.loads((r.out / "adapter" / "adapter_config.json").read_text())
                     for r in (first, second))  # fmt: skip
    assert went_on["base_model_name_or_path"] == made["base_model_name_or_path"]
    assert s["base_model"] == made["base_model_name_or_path"]  # the base, not the adapter
    assert (went_on["r"], went_on["lora_alpha"]) == (4, 8)
    card = (second.out / "training_card.md").read_text()
    assert "continued from adapter" in card and "r=4, alpha=8" in card


@pytest.mark.parametrize("method", ["full", "prefix", "qlora"])
def test_an_adapter_is_continued_as_it_is_or_not_at_all(make_cfg, tmp_path, method):
    first = make_cfg(out=tmp_path / "v1")
    train(first, progress=False)
    again = make_cfg(model=str(first.out / "adapter"), out=tmp_path / "v2", method=method)
    with pytest.raises(InputError, match=rf"is an adapter.*train.method={method}.*method=lora"):
        if method == "qlora":  # on a CPU check_method refuses first; the setup check is next
            from domainsft.train.setup import _check_continuable

            _check_continuable(first.out / "adapter", again)
        train(again, progress=False)


def test_qlora_on_cpu_says_it_needs_cuda(make_cfg):
    with pytest.raises(InputError, match=r"qlora` needs a CUDA GPU.*train.method=lora"):
        train(make_cfg(method="qlora", device="cpu"), progress=False)


def test_missing_target_module_names_the_key_and_the_choices(make_cfg):
    with pytest.raises(
        InputError, match=r"train.lora.target_modules.*'qproj'.*did you mean `q_proj`"
    ):
        train(make_cfg(lora={"target_modules": ["qproj"]}), progress=False)


def test_empty_dataset_fails_before_loading_the_model(make_cfg, tmp_path):
    (tmp_path / "empty.jsonl").write_text("\n")
    with pytest.raises(InputError, match=r"empty\.jsonl: the dataset is empty"):
        train(make_cfg(data=tmp_path / "empty.jsonl", model="/nonexistent/model"), progress=False)


def test_unknown_method_and_typos_name_the_key(tmp_path):
    with pytest.raises(InputError, match=r"train.method"):
        load_recipe(None, ["train.method=loraa"])
    with pytest.raises(
        InputError, match=r"unknown key `train.lerning_rate`|unknown key `train.lr_`"
    ):
        load_recipe(None, ["train.lerning_rate=1e-4"])
    with pytest.raises(InputError, match=r"Did you mean `max_length`"):
        load_recipe(None, ["train.max_lenght=512"])


def test_fp16_on_cpu_is_refused_before_compute(make_cfg):
    with pytest.raises(InputError, match="precision=fp16` needs a CUDA GPU"):
        train(make_cfg(precision="fp16", device="cpu"), progress=False)
