"""A real server on a free port: a tiny random model with two LoRA adapters, the dataset tests'
sample corpus, served by uvicorn in a thread exactly as ``domainsft serve`` serves it."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from tests.dataset.conftest import corpus  # noqa: F401  (session fixture, reused)


@pytest.fixture(scope="session")
def tiny_with_adapters(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """A tiny base and two random (non-zero) LoRA adapters, v1 and v2."""
    import peft
    import torch

    from domainsft.models import load_model
    from domainsft.models.testing import tiny_llama

    root = tmp_path_factory.mktemp("serve-model")
    base_dir = tiny_llama(root / "base", vocab_from="bpe")
    out = []
    for i, name in enumerate(["v1", "v2"]):
        torch.manual_seed(10 + i)
        base, _ = load_model(base_dir, trainable=False)
        cfg = peft.LoraConfig(r=4, lora_alpha=16, target_modules=["q_proj", "v_proj"],
                              init_lora_weights=False)  # fmt: skip
        peft.get_peft_model(base, cfg).save_pretrained(root / name)
        out.append(root / name)
    return base_dir, out[0], out[1]


@contextlib.contextmanager
def serving(server: Any) -> Iterator[str]:
    """Serve ``server`` with uvicorn on a free port; yields the root URL (the API is …/v1)."""
    import uvicorn

    from domainsft.serve.app import create_app

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))  # handed to uvicorn: no race for the port
    port = sock.getsockname()[1]
    web = uvicorn.Server(uvicorn.Config(create_app(server), log_level="warning"))
    thread = threading.Thread(target=web.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not web.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        web.should_exit = True
        thread.join(30)


def make_server(model_dir: Path, corpus_dir: Path | None, adapters: dict[str, Path], **serve: Any):
    from domainsft.config import AssistantConfig, ServeConfig
    from domainsft.serve.launch import build_server

    assistant = AssistantConfig(corpus=corpus_dir, model=str(model_dir), dtype="float32",
                                max_new_tokens=16)  # fmt: skip
    cfg = ServeConfig(adapters=[f"{k}={v}" for k, v in adapters.items()], **serve)
    return build_server(assistant, cfg, seed=0)
