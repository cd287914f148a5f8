"""Load a model and its tokenizer from any spec that ``resolve_model`` understands."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from domainsft.models.chat import require_chat_template
from domainsft.models.device import autocast_dtype, parse_dtype, resolve_device
from domainsft.models.gguf import ensure_dense_cache
from domainsft.models.source import ModelSource, ModelSpecError, adapter_base, resolve_model
from domainsft.utils.imports import require


def load_model(
    spec: str | Path | None = None,
    *,
    dtype: str = "float32",
    device: str = "cpu",
    trainable: bool = True,
    chat_template: str | None = None,
    quantization_config: Any = None,
) -> tuple[Any, Any]:
    """``(model, tokenizer)`` for ``spec`` (None/"default", hub id, local dir, adapter, .gguf).

    GGUF files load from their dense cache (converted on first use). ``trainable=False`` turns
    off gradients, which inference needs no memory for; the model is returned in eval mode
    either way (the trainer switches it to train mode). ``chat_template`` replaces or supplies
    the tokenizer's template; a tokenizer left without one is an error. ``quantization_config``
    (e.g. bitsandbytes 4-bit for QLoRA) is passed to ``from_pretrained``; the model is then
    placed on ``device`` by transformers.

    ``dtype="auto"``: fp32 when trainable (the optimizer needs fp32 weights), else the
    device's native half precision. On a bf16 CPU a bf16 model generates about twice as fast
    as fp32 weights, with or without autocast (SmolLM2-135M, 2 cores: 45 vs 19-24 tokens/s).
    """
    if dtype == "auto":
        dtype = _auto_dtype(device, trainable)
    source = resolve_model(spec)
    if source.kind == "adapter":
        return _load_adapter(source, dtype, device, trainable, chat_template)
    location = _weights_location(source)
    tokenizer = _load_tokenizer_from(location, source, chat_template)
    model = _from_pretrained(location, source, dtype, quantization_config, device)
    if quantization_config is not None:  # placed at load; quantized weights cannot move
        return model.eval(), tokenizer
    return _prepare(model, device, trainable), tokenizer


def load_tokenizer(spec: str | Path | None = None, *, chat_template: str | None = None) -> Any:
    """Only the tokenizer of ``spec`` (a GGUF is converted to its cache first)."""
    source = resolve_model(spec)
    if source.kind == "adapter":
        if (source.path / "tokenizer_config.json").is_file():
            return _load_tokenizer_from(source.location, source, chat_template)
        return load_tokenizer(adapter_base(source), chat_template=chat_template)
    return _load_tokenizer_from(_weights_location(source), source, chat_template)


def _auto_dtype(device: str, trainable: bool) -> str:
    half = None if trainable else autocast_dtype(resolve_device(device))
    return str(half).removeprefix("torch.") if half is not None else "float32"


def _weights_location(source: ModelSource) -> str:
    if source.kind == "gguf":
        return str(ensure_dense_cache(source.path))
    return source.location


def _hub_error(source: ModelSource, exc: Exception) -> ModelSpecError:
    return ModelSpecError(
        f"{source.location}: could not load it as a Hugging Face hub id and there is no local "
        f"directory of that name ({type(exc).__name__}: {exc}). Check the id and the network "
        "(HF_HUB_OFFLINE=1 blocks downloads), or pass a local directory, a .gguf file or 'default'"
    )


def _from_pretrained(
    location: str,
    source: ModelSource,
    dtype: str,
    quantization_config: Any = None,
    device: str = "cpu",
) -> Any:
    transformers = require("transformers", "train")
    extra: dict[str, Any] = {}
    if quantization_config is not None:
        extra = {
            "quantization_config": quantization_config,
            "device_map": {"": str(resolve_device(device))},
        }
    try:
        return transformers.AutoModelForCausalLM.from_pretrained(
            location, dtype=parse_dtype(dtype), **extra
        )
    except OSError as exc:
        if source.kind == "hub":
            raise _hub_error(source, exc) from exc
        raise


def _load_tokenizer_from(location: str, source: ModelSource, chat_template: str | None) -> Any:
    transformers = require("transformers", "train")
    try:
        tokenizer = transformers.AutoTokenizer.from_pretrained(location)
    except OSError as exc:
        if source.kind == "hub":
            raise _hub_error(source, exc) from exc
        raise
    if chat_template is not None:
        tokenizer.chat_template = chat_template
    require_chat_template(tokenizer)
    if tokenizer.pad_token_id is None:
        # batching needs a pad id; padded positions are masked out, so eos is a safe stand-in
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def _prepare(model: Any, device: str, trainable: bool) -> Any:
    model.to(resolve_device(device))
    model.requires_grad_(trainable)
    return model.eval()


def _load_adapter(
    source: ModelSource, dtype: str, device: str, trainable: bool, chat_template: str | None
) -> tuple[Any, Any]:
    """A PEFT adapter directory: load its base model, then attach the adapter weights."""
    peft = require("peft", "train")
    base_spec = adapter_base(source)
    base, tokenizer = load_model(
        base_spec, dtype=dtype, device=device, trainable=False, chat_template=chat_template
    )
    if (source.path / "tokenizer_config.json").is_file():
        tokenizer = _load_tokenizer_from(source.location, source, chat_template)
    # is_trainable=True leaves only the adapter's weights requiring grad, as PEFT intends
    model = peft.PeftModel.from_pretrained(base, source.location, is_trainable=trainable)
    model.to(resolve_device(device))
    return model.eval(), tokenizer
