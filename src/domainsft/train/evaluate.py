"""In-training evaluation: loss on a validation subset and a generation-based metric.

The generation metric is the key-number hit rate: the share of validation answers whose
generated text states every figure of the reference answer (``grounding.states_all``: in base
units at the reference's printed precision; years and page numbers are not figures). No
logits are stored: each batch is scored and dropped.
"""

from __future__ import annotations

from typing import Any

import torch

from domainsft.grounding import states_all
from domainsft.models.generation import generate
from domainsft.train.attention import attention
from domainsft.train.data import Conversation, Tokenized
from domainsft.train.loss import token_losses
from domainsft.train.packing import pack, packed_batch, padded_batch


def eval_loss(
    model: Any, examples: list[Tokenized], capacity: int | None, pad_id: int, autocast: Any
) -> float:
    """Mean token loss over ``examples`` (packed rows when ``capacity``, else one by one)."""
    total, count = 0.0, 0
    if capacity:
        batches = [
            packed_batch(examples, r) for r in pack([len(e.input_ids) for e in examples], capacity)
        ]
    else:
        batches = [padded_batch(examples, [i], pad_id) for i in range(len(examples))]
    device = next(model.parameters()).device
    with torch.no_grad(), autocast():
        for batch in batches:
            losses, _ = token_losses(model, batch.to(device))
            total += float(losses.sum())
            count += losses.numel()
    return total / max(count, 1)


def generation_metric(
    model: Any, tokenizer: Any, conversations: list[Conversation], max_new_tokens: int
) -> dict[str, Any]:
    """Generate answers to the last user turn of each conversation and score the figures."""
    usable = [c for c in conversations if c.messages[-1]["role"] == "assistant"]
    if not usable:
        return {"gen_examples": 0}
    prompts = [c.messages[:-1] for c in usable]
    with attention(model, "sdpa"):
        results = generate(model, tokenizer, prompts, max_new_tokens=max_new_tokens, progress=False)
    verdicts = [
        states_all(c.messages[-1]["content"], r.text) for c, r in zip(usable, results, strict=True)
    ]
    scored = [v for v in verdicts if v is not None]
    return {
        "gen_examples": len(usable),
        "gen_with_figures": len(scored),
        "key_number_hit_rate": (sum(scored) / len(scored)) if scored else None,
        "gen_sample": {"prompt": prompts[0][-1]["content"][:300], "output": results[0].text[:300]},
    }
