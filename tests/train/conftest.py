"""Shared fixtures for training tests: a tiny random Llama and small chat datasets."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
from pathlib import Path

import pytest

from domainsft.config import TrainConfig


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    from domainsft.models.testing import tiny_llama

    return tiny_llama(tmp_path_factory.mktemp("tiny"))


def conversation(i: int, lang: str = "en") -> dict:
    if lang == "zh":
        q, a = (
            f"{2000 + i}年营业收入是多少？",
            f"{2000 + i}年营业收入为{i * 1234.5:,.2f}元（第{i % 9 + 1}页）。",
        )
    else:
        q, a = (
            f"What was revenue in {2000 + i}?",
            f"Revenue in {2000 + i} was {i * 1234.5:,.2f} yuan (page {i % 9 + 1}).",
        )
    return {
        "messages": [
            {"role": "system", "content": "Answer with the figure and the page."},
            {"role": "user", "content": q},
            {"role": "assistant", "content": a},
        ],
        "meta": {"is_replay": i % 5 == 0},
    }


def write_rows(path: Path, rows: list) -> Path:
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    return path


@pytest.fixture
def chat_data(tmp_path) -> tuple[Path, Path]:
    rows = [conversation(i, "zh" if i % 2 else "en") for i in range(24)]
    return write_rows(tmp_path / "train.jsonl", rows), write_rows(tmp_path / "val.jsonl", rows[:4])


@pytest.fixture
def make_cfg(tiny_model, chat_data, tmp_path):
    def make(**kw) -> TrainConfig:
        base = dict(
            model=str(tiny_model),
            data=chat_data[0],
            val_data=chat_data[1],
            out=tmp_path / "run",
            max_steps=4,
            pack_length=256,
            lr=5e-3,
            eval_steps=None,
            eval_generate=0,
            save_steps=None,
            precision="fp32",
        )
        return TrainConfig(**(base | kw))

    return make


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_launcher(cmd: list[str], timeout: int) -> str:
    """Run a multi-process launcher; its output, or a failed assertion with the output.

    The launcher gets its own session, so that a hang kills its workers too, not only it.
    """
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONWARNINGS": "ignore"}
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )  # fmt: skip
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        raise AssertionError(f"{cmd[2]} hung; output:\n{out[-3000:]}") from None
    assert proc.returncode == 0, out[-3000:]
    return out
