"""Continuous batching: the same greedy tokens as one-at-a-time generation, whoever shares the
batch and whenever they join or leave; streaming, stop strings, cancellation, back-pressure and
several LoRA adapters in one batch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch

from domainsft.models import generate, load_model
from domainsft.models.engine import Delta, Done, Engine, EngineBusy, Sampling, UnknownAdapter
from domainsft.models.testing import tiny_llama

PROMPTS: list[Any] = [
    [{"role": "user", "content": "What was revenue in 2023?"}],
    [{"role": "user", "content": "hi"}],
    "The company reported",
    [
        {"role": "system", "content": "Be brief and cite pages."},
        {"role": "user", "content": "资产负债率是多少？请引用页码。"},
    ],
    [{"role": "user", "content": "Please answer with the number and cite the page."}],
]


def _alone(model: Any, tok: Any, prompt: Any, new: int) -> Any:
    return generate(model, tok, [prompt], max_new_tokens=new, autocast=False, progress=False)[0]


@pytest.mark.parametrize("max_batch", [1, 2, 8])
def test_greedy_tokens_equal_one_at_a_time(tiny: tuple[Any, Any], max_batch: int) -> None:
    """Rows join a running batch (max_batch 2: three of five wait for a slot) and leave it at
    different steps (different max_new_tokens); each answer is what it would be alone."""
    model, tok = tiny
    lengths = [12, 5, 9, 16, 3]
    engine = Engine(model, tok, max_batch=max_batch, autocast=False)
    try:
        streams = [
            engine.submit(p, Sampling(max_new_tokens=n))
            for p, n in zip(PROMPTS, lengths, strict=True)
        ]
        done = [s.result(timeout_s=60) for s in streams]
    finally:
        engine.close()
    for prompt, n, d in zip(PROMPTS, lengths, done, strict=True):
        alone = _alone(model, tok, prompt, n)
        assert d.error is None
        assert list(d.result.token_ids) == list(alone.token_ids)
        assert d.result.text == alone.text
        assert d.result.n_new_tokens == alone.n_new_tokens
        assert d.result.n_prompt_tokens == alone.n_prompt_tokens
        assert d.result.finish_reason == alone.finish_reason
        assert d.result.mean_logprob == pytest.approx(alone.mean_logprob, abs=1e-4)
    if max_batch > 1:
        assert engine.rows_stepped > engine.steps  # rows really shared decoding steps


def test_a_request_joins_mid_answer(tiny_bpe: tuple[Any, Any]) -> None:
    """A request submitted while another is decoding joins the running batch: it is done while
    the first is still answering, and both come out as they would alone."""
    model, tok = tiny_bpe
    first_alone = _alone(model, tok, PROMPTS[0], 40)
    assert first_alone.finish_reason == "length"  # the first answer runs all 40 tokens
    engine = Engine(model, tok, max_batch=4, autocast=False)
    try:
        first = engine.submit(PROMPTS[0], Sampling(max_new_tokens=40))
        for event in first.events(timeout_s=60):
            if isinstance(event, Delta) and event.n_new_tokens >= 3:
                break
        second = engine.submit(PROMPTS[3], Sampling(max_new_tokens=6))
        second_done = second.result(timeout_s=60)
        first_still_running = first.done is None
        first_done = first.result(timeout_s=60)
    finally:
        engine.close()
    assert first_still_running
    assert first_done.result.text == first_alone.text
    assert second_done.result.text == _alone(model, tok, PROMPTS[3], 6).text


def test_stream_deltas_add_up_to_the_answer(tiny_bpe: tuple[Any, Any]) -> None:
    model, tok = tiny_bpe
    engine = Engine(model, tok, autocast=False)
    try:
        events = list(engine.submit(PROMPTS[3], Sampling(max_new_tokens=20)).events(timeout_s=60))
    finally:
        engine.close()
    deltas = [e for e in events if isinstance(e, Delta)]
    done = events[-1]
    assert isinstance(done, Done)
    assert deltas, "a 20-token answer streams in pieces"
    assert "".join(d.text for d in deltas) == done.result.text
    assert [d.n_new_tokens for d in deltas] == sorted(d.n_new_tokens for d in deltas)
    assert 0 < done.ttft_s <= done.e2e_s


def test_stop_string_is_never_streamed(tiny_bpe: tuple[Any, Any]) -> None:
    model, tok = tiny_bpe
    full = _alone(model, tok, PROMPTS[0], 24).text
    stop = full[len(full) // 2 : len(full) // 2 + 3]
    assert stop.strip(), "the tiny model's answer has text to cut"
    engine = Engine(model, tok, autocast=False)
    try:
        events = list(
            engine.submit(PROMPTS[0], Sampling(max_new_tokens=24, stop=(stop,))).events(60)
        )
    finally:
        engine.close()
    done = events[-1]
    assert isinstance(done, Done)
    assert done.result.text == full[: full.find(stop)]
    assert done.result.finish_reason == "stop"
    assert "".join(e.text for e in events if isinstance(e, Delta)) == done.result.text


def test_cancel_frees_the_slot(tiny_bpe: tuple[Any, Any]) -> None:
    """A client that goes away: its row leaves the batch, so a waiting request gets the slot."""
    model, tok = tiny_bpe
    engine = Engine(model, tok, max_batch=1, autocast=False)
    try:
        long = engine.submit(PROMPTS[0], Sampling(max_new_tokens=2000))
        waiting = engine.submit(PROMPTS[1], Sampling(max_new_tokens=4))
        next(long.events(timeout_s=60))
        long.cancel()
        done = waiting.result(timeout_s=60)
        cancelled = long.result(timeout_s=60)
    finally:
        engine.close()
    assert cancelled.result.finish_reason == "cancelled"
    assert cancelled.result.n_new_tokens < 2000
    assert done.result.text == _alone(model, tok, PROMPTS[1], 4).text


def test_full_queue_is_refused(tiny_bpe: tuple[Any, Any]) -> None:
    model, tok = tiny_bpe
    engine = Engine(model, tok, max_batch=1, max_waiting=1, autocast=False)
    try:
        running = engine.submit(PROMPTS[0], Sampling(max_new_tokens=400))
        next(running.events(timeout_s=60))  # it holds the only slot now
        engine.submit(PROMPTS[1], Sampling(max_new_tokens=2))
        with pytest.raises(EngineBusy):
            engine.submit(PROMPTS[2], Sampling(max_new_tokens=2))
        running.cancel()
    finally:
        engine.close()


def test_sampling_is_reproducible_with_a_seed(tiny_bpe: tuple[Any, Any]) -> None:
    model, tok = tiny_bpe
    engine = Engine(model, tok, max_batch=4, autocast=False)
    try:
        s = Sampling(max_new_tokens=16, temperature=1.0, top_p=0.9, seed=7)
        a, b = (engine.submit(PROMPTS[0], s) for _ in range(2))
        c = engine.submit(PROMPTS[0], Sampling(max_new_tokens=16, temperature=1.0, seed=8))
        ra, rb, rc = (x.result(60).result for x in (a, b, c))
    finally:
        engine.close()
    assert ra.token_ids == rb.token_ids
    assert ra.token_ids != rc.token_ids


def test_close_drains_running_requests(tiny_bpe: tuple[Any, Any]) -> None:
    model, tok = tiny_bpe
    engine = Engine(model, tok, max_batch=2, autocast=False)
    streams = [engine.submit(p, Sampling(max_new_tokens=6)) for p in PROMPTS[:3]]
    engine.close(drain=True, timeout_s=60)
    assert all(s.done is not None and s.done.result.finish_reason != "cancelled" for s in streams)


def test_bf16_autocast_runs(tiny_bpe: tuple[Any, Any]) -> None:
    model, tok = tiny_bpe
    engine = Engine(model, tok, max_batch=2, autocast=True)
    try:
        results = engine.generate(PROMPTS[:3], Sampling(max_new_tokens=5))
    finally:
        engine.close()
    assert len(results) == 3
    assert all(1 <= r.n_new_tokens <= 5 and r.finish_reason in ("stop", "length") for r in results)


# --------------------------------------------------------------------------- adapters
@pytest.fixture(scope="module")
def two_adapters(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """A tiny base and two random (non-zero) LoRA adapters trained on nothing."""
    peft = pytest.importorskip("peft")
    root = tmp_path_factory.mktemp("engine-adapters")
    base_dir = tiny_llama(root / "base", vocab_from="bpe")
    dirs = []
    for i, name in enumerate(["a", "b"]):
        torch.manual_seed(100 + i)
        base, _ = load_model(base_dir, trainable=False)
        cfg = peft.LoraConfig(
            r=4, lora_alpha=16, target_modules=["q_proj", "v_proj", "up_proj"],
            init_lora_weights=False,
        )  # fmt: skip
        model = peft.get_peft_model(base, cfg)
        model.save_pretrained(root / name)
        dirs.append(root / name)
    return base_dir, dirs[0], dirs[1]


def test_several_adapters_in_one_batch(two_adapters: tuple[Path, Path, Path]) -> None:
    """Requests for adapter a, adapter b and the base share decoding steps; each answer equals
    that adapter's (or the base's) own generation."""
    import peft

    base_dir, a_dir, b_dir = two_adapters
    base, tok = load_model(base_dir, trainable=False)
    model = peft.PeftModel.from_pretrained(base, a_dir, adapter_name="a")
    model.load_adapter(b_dir, adapter_name="b")
    model.eval()
    plan = [("a", PROMPTS[0]), ("b", PROMPTS[0]), (None, PROMPTS[0]), ("b", PROMPTS[3]),
            ("a", PROMPTS[4])]  # fmt: skip
    engine = Engine(model, tok, max_batch=8, autocast=False)
    try:
        with pytest.raises(UnknownAdapter):
            engine.submit(PROMPTS[0], adapter="c")
        streams = [engine.submit(p, Sampling(max_new_tokens=10), adapter=a) for a, p in plan]
        got = [s.result(60).result for s in streams]
    finally:
        engine.close()
    expected = []
    for adapter, prompt in plan:
        if adapter is None:
            with model.disable_adapter():
                expected.append(_alone(model, tok, prompt, 10))
        else:
            model.set_adapter(adapter)
            expected.append(_alone(model, tok, prompt, 10))
    for g, e in zip(got, expected, strict=True):
        assert g.token_ids == e.token_ids
    assert got[0].token_ids != got[1].token_ids != got[2].token_ids  # the adapters matter


def test_batch_mates_do_not_wait_for_the_longest(tiny_bpe: tuple[Any, Any]) -> None:
    """A short answer sharing the batch with a long one leaves it as soon as it is done."""
    model, tok = tiny_bpe
    assert _alone(model, tok, PROMPTS[0], 120).n_new_tokens > 60
    engine = Engine(model, tok, max_batch=2, autocast=False)
    try:
        long = engine.submit(PROMPTS[0], Sampling(max_new_tokens=120))
        short = engine.submit(PROMPTS[1], Sampling(max_new_tokens=3))
        s, lo = short.result(60), long.result(60)
    finally:
        engine.close()
    assert s.result.n_new_tokens <= 3
    assert s.e2e_s < lo.e2e_s / 2


def test_local_backend_continuous_equals_static(tiny_dir: Path) -> None:
    """Eval's backend gives the same answers on either engine (continuous is eval's default)."""
    from domainsft.models.backends import Generation, LocalBackend

    chats = [p for p in PROMPTS if not isinstance(p, str)]
    gen = Generation(max_new_tokens=10)
    static = LocalBackend(str(tiny_dir), batch_size=2, dtype="float32", engine="static")
    cont = LocalBackend(str(tiny_dir), batch_size=2, dtype="float32", engine="continuous")
    try:
        a = static.generate(chats, gen, progress=False)
        b = cont.generate(chats, gen, progress=False)
    finally:
        cont.close()
    assert [x.text for x in a] == [x.text for x in b]
    assert [x.n_new_tokens for x in a] == [x.n_new_tokens for x in b]
    assert all(x.n_pad_tokens == 0 for x in b)
    with pytest.raises(ValueError, match="engine"):
        LocalBackend(str(tiny_dir), engine="turbo")


def test_local_backend_with_an_adapter_answers_with_it_on_either_engine(two_adapters) -> None:
    """The adapter counts on the continuous engine too (it once ran the bare base there)."""
    from domainsft.models.backends import Generation, LocalBackend

    base_dir, a_dir, _ = two_adapters
    chats = [p for p in PROMPTS if not isinstance(p, str)]
    gen = Generation(max_new_tokens=10)
    texts = {}
    for engine in ("static", "continuous"):
        for adapter in (None, str(a_dir)):
            backend = LocalBackend(
                str(base_dir), adapter, batch_size=2, dtype="float32", engine=engine
            )
            try:
                texts[engine, adapter] = [x.text for x in backend.generate(chats, gen, False)]
            finally:
                backend.close()
    assert texts["continuous", str(a_dir)] == texts["static", str(a_dir)]
    assert texts["continuous", None] == texts["static", None]
    assert texts["continuous", str(a_dir)] != texts["continuous", None]
