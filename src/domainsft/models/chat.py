"""The one place where conversations become text and token ids.

Training, evaluation and serving all call these functions, so a prompt is tokenized the same
way in all three: the model is served exactly the token ids it was trained on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

Message = dict[str, str]


class Referenced(Protocol):
    """A prompt and the reference answer to it (an eval item, a dataset example): what
    perplexity scores."""

    prompt: list[Message]
    reference: str | None


# A ChatML template without a built-in system prompt, for tokenizers that ship none.
CHATML_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)
# End-of-turn tokens of common template families, used when they differ from eos.
_END_OF_TURN_TOKENS = ("<|im_end|>", "<|eot_id|>", "<end_of_turn>", "<|end|>", "<|endoftext|>")
IGNORE_INDEX = -100  # what torch's cross_entropy skips by default


class ChatTemplateError(ValueError):
    """A tokenizer without a usable chat template; the message says how to set one."""


def require_chat_template(tokenizer: Any) -> str:
    template = getattr(tokenizer, "chat_template", None)
    if not template:
        raise ChatTemplateError(
            f"tokenizer {getattr(tokenizer, 'name_or_path', '')!r} has no chat template; set "
            "one with `tokenizer.chat_template = domainsft.models.CHATML_TEMPLATE` (or pass "
            "chat_template=... to load_model), or put a chat_template.jinja next to "
            "tokenizer_config.json"
        )
    return template


def check_messages(messages: Sequence[Message]) -> list[Message]:
    """A conversation must be a non-empty list of {"role": str, "content": str} dicts."""
    if not isinstance(messages, Sequence) or isinstance(messages, str) or not messages:
        raise ValueError(f"a conversation is a non-empty list of messages, got {messages!r:.80}")
    for i, message in enumerate(messages):
        if not (
            isinstance(message, dict)
            and isinstance(message.get("role"), str)
            and isinstance(message.get("content"), str)
        ):
            raise ValueError(
                f"message {i} must be a dict with string 'role' and 'content', got {message!r:.80}"
            )
    return list(messages)


def render_chat(tokenizer: Any, messages: Sequence[Message], *, add_generation_prompt: bool) -> str:
    """The conversation as the model sees it, rendered by the tokenizer's chat template."""
    require_chat_template(tokenizer)
    return tokenizer.apply_chat_template(
        check_messages(messages), tokenize=False, add_generation_prompt=add_generation_prompt
    )


def encode_chat(
    tokenizer: Any, messages: Sequence[Message], add_generation_prompt: bool
) -> list[int]:
    """Token ids of the rendered conversation.

    No special tokens are added on top: the template itself writes any BOS, and adding one
    again would make training and serving disagree (as in transformers' apply_chat_template).
    """
    text = render_chat(tokenizer, messages, add_generation_prompt=add_generation_prompt)
    return list(tokenizer(text, add_special_tokens=False)["input_ids"])


def _encode_prefix(tokenizer: Any, messages: list[Message], add_generation_prompt: bool):
    if not messages:  # the prompt before an opening assistant turn
        text = tokenizer.apply_chat_template([], tokenize=False, add_generation_prompt=True)
        return list(tokenizer(text, add_special_tokens=False)["input_ids"])
    return encode_chat(tokenizer, messages, add_generation_prompt)


def end_of_turn_ids(tokenizer: Any) -> set[int]:
    """Token ids that close an assistant turn: eos plus known end-of-turn tokens in the vocab."""
    ids = {tokenizer.eos_token_id} if tokenizer.eos_token_id is not None else set()
    vocab = tokenizer.get_vocab()
    ids.update(vocab[token] for token in _END_OF_TURN_TOKENS if token in vocab)
    return ids


def assistant_mask(tokenizer: Any, messages: Sequence[Message]) -> tuple[list[int], list[bool]]:
    """Token ids of the whole conversation and a mask that is True on assistant answers.

    Each assistant turn is located by rendering the conversation up to it (with the generation
    prompt) and through it, and diffing the token ids. The mask covers the answer and its
    end-of-turn token, not what the template writes after that (e.g. ChatML's newline): the
    model learns to stop exactly where serving stops it.
    """
    messages = check_messages(messages)
    input_ids = encode_chat(tokenizer, messages, add_generation_prompt=False)
    mask = [False] * len(input_ids)
    stops = end_of_turn_ids(tokenizer)
    for i, message in enumerate(messages):
        if message["role"] != "assistant":
            continue
        before = _encode_prefix(tokenizer, messages[:i], add_generation_prompt=True)
        through = encode_chat(tokenizer, messages[: i + 1], add_generation_prompt=False)
        _check_prefix(before, through, i, "the prompt before it", "the turn itself")
        _check_prefix(through, input_ids, i, "the conversation through it", "later turns")
        end = _answer_end(through, len(before), stops)
        mask[len(before) : end] = [True] * (end - len(before))
    return input_ids, mask


def _answer_end(ids: list[int], start: int, stops: set[int]) -> int:
    for j in range(start, len(ids)):
        if ids[j] in stops:
            return j + 1
    return len(ids)  # a template with no end-of-turn token: the whole turn is the answer


def _check_prefix(prefix: list[int], full: list[int], i: int, what: str, added: str) -> None:
    if full[: len(prefix)] != prefix:
        at = next((k for k, (a, b) in enumerate(zip(prefix, full, strict=False)) if a != b), None)
        raise ChatTemplateError(
            f"chat template is not prefix-stable at message {i} (assistant): the token ids of "
            f"{what} are not a prefix of those after adding {added} (first difference at token "
            f"{at if at is not None else len(full)}). Assistant-only loss masking needs a "
            "template that renders earlier turns the same whatever follows (templates that "
            "rewrite or drop earlier turns, e.g. strip reasoning, are not); set one with "
            "`tokenizer.chat_template = ...` (domainsft.models.CHATML_TEMPLATE is one)"
        )


def masked_labels(input_ids: Sequence[int], mask: Sequence[bool]) -> list[int]:
    """Labels for causal-LM loss: the token where the mask is True, IGNORE_INDEX elsewhere."""
    return [tok if keep else IGNORE_INDEX for tok, keep in zip(input_ids, mask, strict=True)]
