"""The real embedded model (SmolLM2-135M-Instruct) learns from a few finance chats: LoRA, bf16
autocast where the CPU has it, a handful of steps; the adapter loads back and generates."""

from __future__ import annotations

import json

import pytest

from domainsft.config import TrainConfig
from domainsft.models import generate, load_model
from domainsft.train import train

from .conftest import write_rows

pytestmark = pytest.mark.slow

COMPANIES = [("华晟科技", "Huasheng Technology"), ("东岳能源", "Dongyue Energy")]
METRICS = [
    ("营业收入", "revenue", "亿元", "billion yuan"),
    ("归属于母公司股东的净利润", "net profit attributable to shareholders", "亿元", "billion yuan"),
    ("总资产", "total assets", "亿元", "billion yuan"),
    ("毛利率", "gross margin", "%", "%"),
    (
        "经营活动产生的现金流量净额",
        "net cash flow from operating activities",
        "亿元",
        "billion yuan",
    ),
]


def finance_chats() -> list[dict]:
    """40 short question/answer pairs, zh and en: the figure with its unit, and the page."""
    rows = []
    for c, (zh_name, en_name) in enumerate(COMPANIES):
        for m, (zh_metric, en_metric, zh_unit, en_unit) in enumerate(METRICS):
            for y, year in enumerate((2022, 2023)):
                value = f"{12.34 + 7.1 * c + 3.05 * m + 1.5 * y:.2f}"
                page = 5 + 3 * m + y
                rows.append(
                    [
                        {"role": "user", "content": f"{zh_name}{year}年的{zh_metric}是多少？"},
                        {
                            "role": "assistant",
                            "content": f"{zh_name}{year}年{zh_metric}为{value}{zh_unit}"
                            f"（年报第{page}页）。",
                        },
                    ]
                )
                rows.append(
                    [
                        {"role": "user", "content": f"What was {en_name}'s {en_metric} in {year}?"},
                        {
                            "role": "assistant",
                            "content": f"{en_name}'s {en_metric} in {year} was {value} {en_unit} "
                            f"(annual report, page {page}).",
                        },
                    ]
                )
    return [{"messages": m, "meta": {}} for m in rows]


def test_real_model_loss_falls_and_adapter_generates(tmp_path):
    chats = finance_chats()
    assert len(chats) == 40
    data = write_rows(tmp_path / "train.jsonl", chats)
    cfg = TrainConfig(
        model="default",
        data=data,
        val_data=None,
        out=tmp_path / "run",
        method="lora",
        max_steps=8,
        pack_length=512,
        lr=1e-3,
        warmup_ratio=0.0,
        eval_steps=None,
        eval_generate=0,
        save_steps=None,
    )
    summary = train(cfg, progress=False)
    assert summary["steps"] == 8
    assert summary["precision"] in ("bf16", "no")  # bf16 autocast where the CPU has it
    lines = (cfg.out / "metrics.jsonl").read_text().splitlines()
    losses = [r["loss"] for r in map(json.loads, lines) if "loss" in r]
    assert len(losses) == 8
    assert sum(losses[-2:]) / 2 < losses[0], losses

    model, tokenizer = load_model(cfg.out / "adapter", trainable=False)
    question = [{"role": "user", "content": "华晟科技2023年的营业收入是多少？"}]
    (answer,) = generate(model, tokenizer, [question], max_new_tokens=24, progress=False)
    assert answer.text.strip()
