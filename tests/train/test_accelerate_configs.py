"""The shipped accelerate configs load with accelerate's own reader, and the CPU one trains."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import yaml
from accelerate.commands.config.config_args import ClusterConfig, load_config_from_file
from accelerate.commands.launch import launch_command_parser
from accelerate.utils import DistributedType, PrecisionType
from accelerate.utils.constants import (
    FSDP_AUTO_WRAP_POLICY,
    FSDP_BACKWARD_PREFETCH,
    FSDP_SHARDING_STRATEGY,
    FSDP_STATE_DICT_TYPE,
)

from tests.train.conftest import free_port, run_launcher

FOLDER = Path(__file__).resolve().parents[2] / "src" / "domainsft" / "recipes" / "accelerate"
CONFIGS = sorted(FOLDER.glob("*.yaml"))
EXPECTED = {
    "cpu_ddp.yaml": DistributedType.MULTI_GPU,  # torchrun launcher; workers train on the CPU
    "ddp.yaml": DistributedType.MULTI_GPU,
    "fsdp.yaml": DistributedType.FSDP,
    "deepspeed_zero2.yaml": DistributedType.DEEPSPEED,
    "deepspeed_zero3.yaml": DistributedType.DEEPSPEED,
}


def test_all_configs_are_shipped():
    assert {p.name for p in CONFIGS} == set(EXPECTED)


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_config_loads_with_accelerates_reader(path):
    # load_config_from_file rejects unknown top-level keys and unknown distributed types
    cfg = load_config_from_file(str(path))
    assert isinstance(cfg, ClusterConfig)
    assert cfg.distributed_type == EXPECTED[path.name]
    assert cfg.mixed_precision in PrecisionType.list()
    assert cfg.num_processes >= 2 and cfg.num_machines == 1
    command = f"accelerate launch --config_file recipes/accelerate/{path.name} -m domainsft train"
    assert any(command in line for line in path.read_text(encoding="utf-8").splitlines()[:3])


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_nested_keys_are_launch_options(path):
    """accelerate copies fsdp_config/deepspeed_config keys onto `accelerate launch` options
    without checking them (commands/launch.py, _validate_launch_command): a typo there would be
    ignored silently, so each key must name an option of the launcher."""
    options = {a.dest for a in launch_command_parser()._actions}
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    for section in ("fsdp_config", "deepspeed_config"):
        for key in raw.get(section) or {}:
            name = key if section != "fsdp_config" or key.startswith("fsdp") else f"fsdp_{key}"
            assert name in options, f"{path.name}: {section}.{key} is no accelerate option"


def test_fsdp_values():
    fsdp = load_config_from_file(str(FOLDER / "fsdp.yaml")).fsdp_config
    assert fsdp["fsdp_sharding_strategy"] in FSDP_SHARDING_STRATEGY
    assert fsdp["fsdp_sharding_strategy"] == "FULL_SHARD"
    assert fsdp["fsdp_auto_wrap_policy"] in FSDP_AUTO_WRAP_POLICY
    assert fsdp["fsdp_transformer_layer_cls_to_wrap"] == "LlamaDecoderLayer"
    assert fsdp["fsdp_backward_prefetch"] in FSDP_BACKWARD_PREFETCH
    assert fsdp["fsdp_state_dict_type"] in FSDP_STATE_DICT_TYPE
    assert fsdp["fsdp_use_orig_params"] is True  # LoRA: frozen and trainable weights in one unit


@pytest.mark.parametrize("stage", [2, 3])
def test_deepspeed_values(stage):
    ds = load_config_from_file(str(FOLDER / f"deepspeed_zero{stage}.yaml")).deepspeed_config
    assert ds["zero_stage"] == stage
    assert ds["offload_optimizer_device"] == ds["offload_param_device"] == "none"


def test_cpu_ddp_config_trains_with_two_processes(make_cfg, tmp_path):
    cfg = make_cfg(out=tmp_path / "run", max_steps=2, pack_length=96, device="cpu")
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(json.dumps({"train": json.loads(cfg.model_dump_json())}))
    launcher = Path(sys.executable).with_name("accelerate")
    cmd = [
        str(launcher),
        "launch",
        "--config_file",
        str(FOLDER / "cpu_ddp.yaml"),
        "--main_process_port",
        str(free_port()),
        "-m",
        "domainsft",
        "train",
        str(recipe),
    ]
    run_launcher(cmd, timeout=240)
    summary = json.loads((cfg.out / "summary.json").read_text())
    assert summary["world_size"] == 2
    assert summary["steps"] == 2
    assert (cfg.out / "adapter" / "adapter_model.safetensors").exists()
