"""The chat template is the one road from conversation to token ids: training, evaluation and
serving must agree on it token for token."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path
from typing import Any

import pytest

from domainsft.models import (
    CHATML_TEMPLATE,
    IGNORE_INDEX,
    ChatTemplateError,
    assistant_mask,
    encode_chat,
    load_model,
    masked_labels,
    render_chat,
)
from domainsft.models.generation import encode_prompt
from tests.models.conftest import CONVERSATION


def test_render_keeps_every_turn_in_order(tiny: tuple[Any, Any]) -> None:
    _, tok = tiny
    text = render_chat(tok, CONVERSATION, add_generation_prompt=False)
    positions = [text.index(m["content"]) for m in CONVERSATION]
    assert positions == sorted(positions)


def test_encode_decodes_back_to_the_rendered_text(tiny: tuple[Any, Any]) -> None:
    _, tok = tiny
    for gen_prompt in (False, True):
        text = render_chat(tok, CONVERSATION[:-1], add_generation_prompt=gen_prompt)
        ids = encode_chat(tok, CONVERSATION[:-1], gen_prompt)
        assert tok.decode(ids, skip_special_tokens=False) == text


def test_training_and_serving_agree_on_the_prompt_ids(tiny: tuple[Any, Any]) -> None:
    """The prompt a served model sees is exactly the start of what it was trained on, and the
    trained answer starts at the token where serving starts generating."""
    _, tok = tiny
    served = encode_prompt(tok, CONVERSATION[:-1])  # what generate() feeds the model
    evaluated = encode_chat(tok, CONVERSATION[:-1], add_generation_prompt=True)
    trained, mask = assistant_mask(tok, CONVERSATION)
    assert served == evaluated
    assert trained == encode_chat(tok, CONVERSATION, add_generation_prompt=False)
    assert trained[: len(served)] == served
    assert mask[len(served)] and not mask[len(served) - 1]


def _runs(ids: list[int], mask: list[bool]) -> list[list[int]]:
    pairs = zip(ids, mask, strict=True)
    return [[t for t, _ in g] for keep, g in itertools.groupby(pairs, key=lambda p: p[1]) if keep]


def test_assistant_mask_covers_exactly_the_answers(tiny: tuple[Any, Any]) -> None:
    _, tok = tiny
    ids, mask = assistant_mask(tok, CONVERSATION)
    answers = [m["content"] for m in CONVERSATION if m["role"] == "assistant"]
    decoded = [tok.decode(run, skip_special_tokens=False) for run in _runs(ids, mask)]
    assert decoded == [a + tok.eos_token for a in answers]


def test_masked_labels_ignore_everything_but_answers(tiny_bpe: tuple[Any, Any]) -> None:
    _, tok = tiny_bpe
    ids, mask = assistant_mask(tok, CONVERSATION)
    labels = masked_labels(ids, mask)
    answers = [t for t, keep in zip(ids, mask, strict=True) if keep]
    assert [t for t in labels if t != IGNORE_INDEX] == answers
    assert labels[0] == IGNORE_INDEX


def test_template_that_rewrites_earlier_turns_is_refused(tiny_bpe: tuple[Any, Any]) -> None:
    _, tok = tiny_bpe
    # Like reasoning templates that drop earlier thoughts: only the last assistant turn kept.
    dropping = CHATML_TEMPLATE.replace(
        "{% for message in messages %}",
        "{% for message in messages %}{% if message['role'] != 'assistant' or loop.last %}",
    ).replace("{% endfor %}", "{% endif %}{% endfor %}")
    saved = tok.chat_template
    tok.chat_template = dropping
    try:
        with pytest.raises(ChatTemplateError, match="not prefix-stable at message 2"):
            assistant_mask(tok, CONVERSATION)
    finally:
        tok.chat_template = saved


def test_missing_template_says_how_to_set_one(tiny_bpe_dir: Path, tmp_path: Path) -> None:
    bare = tmp_path / "bare"
    shutil.copytree(tiny_bpe_dir, bare)
    (bare / "chat_template.jinja").unlink()
    with pytest.raises(ChatTemplateError, match="CHATML_TEMPLATE"):
        load_model(bare)
    _, tok = load_model(bare, chat_template=CHATML_TEMPLATE, trainable=False)
    assert encode_chat(tok, CONVERSATION, False)


@pytest.mark.parametrize(
    "messages",
    [[], "hello", [{"role": "user"}], [{"role": "user", "content": 3}]],
)
def test_malformed_conversations_are_refused(tiny_bpe: tuple[Any, Any], messages: Any) -> None:
    with pytest.raises(ValueError, match="message"):
        render_chat(tiny_bpe[1], messages, add_generation_prompt=True)
