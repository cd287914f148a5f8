"""Models shared by train, eval and serve: loading (hub id, local dir, adapter, GGUF), the chat
template as the one tokenization path, batched generation, and device/precision choices.

``import domainsft.models`` stays cheap: torch and transformers load on first use of a name
that needs them (the ``[train]`` extra provides them).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from domainsft.models.backends import Answer, EndpointBackend, Generation, LocalBackend
    from domainsft.models.chat import (
        CHATML_TEMPLATE,
        IGNORE_INDEX,
        ChatTemplateError,
        Message,
        assistant_mask,
        encode_chat,
        masked_labels,
        render_chat,
    )
    from domainsft.models.device import autocast_dtype, pick_device, supports_bf16_cpu
    from domainsft.models.generation import GenerationResult, generate
    from domainsft.models.gguf import cache_root, ensure_dense_cache
    from domainsft.models.loading import load_model, load_tokenizer
    from domainsft.models.source import (
        ModelSource,
        ModelSpecError,
        default_gguf_path,
        resolve_model,
    )

_EXPORTS = {
    "backends": ["Answer", "EndpointBackend", "Generation", "LocalBackend"],
    "chat": [
        "CHATML_TEMPLATE",
        "IGNORE_INDEX",
        "ChatTemplateError",
        "Message",
        "assistant_mask",
        "encode_chat",
        "masked_labels",
        "render_chat",
    ],
    "device": ["autocast_dtype", "pick_device", "supports_bf16_cpu"],
    "generation": ["GenerationResult", "generate"],
    "gguf": ["cache_root", "ensure_dense_cache"],
    "loading": ["load_model", "load_tokenizer"],
    "source": ["ModelSource", "ModelSpecError", "default_gguf_path", "resolve_model"],
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}
__all__ = [
    "CHATML_TEMPLATE",
    "IGNORE_INDEX",
    "Answer",
    "ChatTemplateError",
    "EndpointBackend",
    "Generation",
    "GenerationResult",
    "LocalBackend",
    "Message",
    "ModelSource",
    "ModelSpecError",
    "assistant_mask",
    "autocast_dtype",
    "cache_root",
    "default_gguf_path",
    "encode_chat",
    "ensure_dense_cache",
    "generate",
    "load_model",
    "load_tokenizer",
    "masked_labels",
    "pick_device",
    "render_chat",
    "resolve_model",
    "supports_bf16_cpu",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
