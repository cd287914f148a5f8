"""The fine-tuning methods by name, with what each is (``train.method``'s choices and help).

``tuners.py`` holds one function per name; adding a method: a function there named like the
method and one line here."""

from __future__ import annotations

METHODS: dict[str, str] = {
    "lora": "LoRA adapters",
    "qlora": "LoRA on a 4-bit base (CUDA + bitsandbytes)",
    "full": "all weights",
    "prefix": "prefix tuning",
    "adapter": "IA3",
}
