"""Generation backends: a local model (perplexity checked against transformers' own loss) and
an OpenAI-compatible endpoint (a real HTTP server in the test)."""

from __future__ import annotations

import math

import pytest
import torch

from domainsft.eval.items import EvalItem
from domainsft.models.backends import EndpointBackend, Generation, LocalBackend
from domainsft.models.openai_api import EndpointError
from tests.dataset.openai_server import ServerState, serve


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    from domainsft.models.testing import tiny_llama

    return tiny_llama(tmp_path_factory.mktemp("tiny_eval"))


def _items() -> list[EvalItem]:
    return [
        EvalItem(
            "a", [{"role": "user", "content": "Revenue in 2023?"}], "It was 5 million (p. 3)."
        ),
        EvalItem(
            "b", [{"role": "user", "content": "营业收入？"}], "营业收入为11.75亿元（第5页）。"
        ),
        EvalItem("c", [{"role": "user", "content": "No reference."}], None),
    ]


def test_local_generation_reports_tokens_padding_and_confidence(tiny):
    backend = LocalBackend(str(tiny), batch_size=2, dtype="float32")
    answers = backend.generate([i.prompt for i in _items()], Generation(max_new_tokens=6))
    assert len(answers) == 3
    for a in answers:
        assert 1 <= a.n_new_tokens <= 6 and a.n_prompt_tokens > 3
        assert a.finish_reason in ("stop", "length") and a.latency_s > 0
        assert a.mean_logprob <= 0
    # the two prompts batched together differ in length, so one of them was left-padded
    assert sum(a.n_pad_tokens for a in answers) > 0


def test_perplexity_equals_exp_of_the_answer_token_loss(tiny):
    """Cross-checked against transformers' own shifted cross-entropy on the masked labels."""
    from domainsft.models import assistant_mask, masked_labels

    backend = LocalBackend(str(tiny), batch_size=8, dtype="float32")
    items = _items()
    ppl = backend.perplexity(items)
    assert ppl[2] is None
    for item, value in zip(items[:2], ppl[:2], strict=True):
        conv = [*item.prompt, {"role": "assistant", "content": item.reference}]
        ids, mask = assistant_mask(backend.tokenizer, conv)
        labels = torch.tensor([masked_labels(ids, mask)])
        with torch.no_grad():
            loss = backend.model(input_ids=torch.tensor([ids]), labels=labels).loss
        assert value == pytest.approx(math.exp(loss.item()), rel=1e-4)


def test_endpoint_backend_answers_in_order():
    state = ServerState(model="m", respond=lambda msgs, n, t: "echo: " + msgs[-1]["content"])
    with serve(state) as url:
        backend = EndpointBackend(url, "m", concurrency=2)
        answers = backend.generate([i.prompt for i in _items()], Generation(max_new_tokens=16))
    assert [a.text for a in answers] == ["echo: " + i.prompt[-1]["content"] for i in _items()]
    assert all(a.error is None and a.latency_s > 0 for a in answers)
    assert backend.perplexity(_items()) == [None, None, None]
    assert state.requests[0]["max_tokens"] == 16


def test_endpoint_errors_name_the_fix():
    state = ServerState(model="m", respond=lambda msgs, n, t: "x")
    with (
        serve(state) as url,
        pytest.raises(EndpointError, match=r"serves no model 'other'; pass --endpoint-model"),
    ):
        EndpointBackend(url, "other")
    with pytest.raises(EndpointError, match=r"connection refused.*--endpoint"):
        EndpointBackend(url, "m").generate([[{"role": "user", "content": "q"}]], Generation())
