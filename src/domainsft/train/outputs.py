"""What a run leaves behind: the adapter (or model), a merged model, the card, the summary."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from domainsft.config import TrainConfig
from domainsft.utils.manifest import write_stage_record


def save_trained(
    model: Any, tokenizer: Any, cfg: TrainConfig, state_dict: dict | None = None
) -> Path:
    """PEFT methods write ``out/adapter``; full fine-tuning writes ``out/model``.

    ``state_dict``: the full weights gathered from shards (FSDP / ZeRO-3), else None.
    """
    target = cfg.out / ("model" if cfg.method == "full" else "adapter")
    model.save_pretrained(target, safe_serialization=True, state_dict=state_dict)
    tokenizer.save_pretrained(target)
    return target


def save_merged(adapter_dir: Path, cfg: TrainConfig) -> Path:
    """Base weights reloaded in fp32 with the adapter folded in, as plain safetensors.

    The base is reloaded from its source rather than merged in place, so the merged model is
    exactly what eval and serve get from ``load_model(adapter)`` + ``merge_and_unload``.
    """
    from domainsft.models import load_model

    model, tokenizer = load_model(str(adapter_dir), dtype="float32", device="cpu", trainable=False)
    merged = model.merge_and_unload()
    target = cfg.out / "merged"
    merged.save_pretrained(target, safe_serialization=True)
    tokenizer.save_pretrained(target)
    return target


def record_inputs(cfg: TrainConfig) -> dict[str, Any]:
    """The inputs the stage record hashes; `domainsft run` predicts the record from them."""
    return {"data": cfg.data, "val_data": cfg.val_data, "model": cfg.model,
            "ewc_data": cfg.ewc_data}  # fmt: skip


def write_summary(cfg: TrainConfig, summary: dict[str, Any]) -> None:
    write_stage_record(cfg.out, "train", cfg, record_inputs(cfg))
    (cfg.out / "summary.json").write_text(
        json.dumps(summary, indent=1, ensure_ascii=False, default=str)
    )
    (cfg.out / "training_card.md").write_text(card(cfg, summary), encoding="utf-8")


def _method(cfg: TrainConfig, continued: dict[str, Any] | None) -> str:
    """The method line: a continued adapter keeps its own settings, not ``train.lora``'s."""
    if continued:
        kind = {"LORA": "lora", "IA3": "adapter (IA3)"}.get(continued["peft_type"], "adapter")
        keys = {"r": "r", "lora_alpha": "alpha", "lora_dropout": "dropout"}
        shown = [f"{short}={continued[k]}" for k, short in keys.items() if k in continued]
        shown.append(f"targets={continued.get('target_modules')}")
        return f"{kind}, continued ({', '.join(shown)}, as the adapter was made)"
    if cfg.method in ("lora", "qlora"):
        lo = cfg.lora
        return (
            f"{cfg.method} (r={lo.r}, alpha={lo.alpha}, dropout={lo.dropout}, "
            f"targets={lo.target_modules})"
        )
    return cfg.method


def card(cfg: TrainConfig, s: dict[str, Any]) -> str:
    data, final = s["data"], s.get("final", {})
    share = 100 * s["trainable_params"] / max(1, s["total_params"])
    method, base = _method(cfg, s.get("continued_from")), f"`{s['base_model']}`"
    if s.get("continued"):
        base += f" (continued from adapter `{cfg.model}`)"
    rows = {
        "Data": [
            f"train: `{cfg.data}`: {data['read']} examples read, {data['kept']} trained on, "
            f"{data['tokens']:,} tokens ({data['supervised_tokens']:,} supervised)",
            f"dropped: {data['dropped'] or 'none'}",
            f"validation: `{cfg.val_data}` ({s.get('val_examples', 0)} examples)",
        ],
        "Method": [
            f"base model: {base}",
            f"method: {method}",
            f"trainable parameters: {s['trainable_params']:,} of {s['total_params']:,} "
            f"({share:.3f} %)",
            f"precision: {s['precision']}; packing: {s['packing']}; max_length {cfg.max_length}",
            f"lr {cfg.lr} -> {cfg.min_lr} (cosine, warmup {s['warmup_steps']} steps), layer "
            f"decay {cfg.layer_lr_decay}, label smoothing {cfg.label_smoothing}",
            f"against forgetting: L2-SP {cfg.l2sp}, EWC {cfg.ewc}, frozen layers "
            f"{cfg.freeze_layers}",
            f"steps: {s['steps']} ({s['epochs']:.2f} epochs), grad accumulation "
            f"{cfg.grad_accum}, processes {s['world_size']}",
        ],
        "Result": [
            f"final train loss (last step): {final.get('loss', 'n/a')}",
            f"eval loss: {final.get('eval_loss', 'n/a')}; key-number hit rate: "
            f"{final.get('key_number_hit_rate', 'n/a')}",
            f"wall time: {s['seconds']:.1f} s; {s['tokens_per_s']:.0f} tokens/s; token "
            f"utilisation {100 * s['token_utilisation']:.1f} %",
            "outputs: " + ", ".join(f"`{p}`" for p in s["outputs"]),
        ],
    }
    lines = [f"# Training card: {cfg.out.name}", ""]
    for title, items in rows.items():
        lines += [f"## {title}", *(f"- {item}" for item in items), ""]
    lines.append(
        "The resolved config is in `train_config.yaml` (input hashes: `train_manifest.json`); "
        "every step's metrics in `metrics.jsonl`."
    )
    return "\n".join(lines) + "\n"
