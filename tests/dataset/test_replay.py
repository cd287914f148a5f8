"""Replay of general instructions: share, placement, self-distillation with its cache, errors."""

from __future__ import annotations

import json
import random
import string

import pytest

from domainsft.config import DatasetConfig
from domainsft.dataset import build
from domainsft.dataset.replay import _clean, bundled_prompts
from domainsft.utils.jsonl import InputError
from tests.dataset.conftest import dataset_config

SMALL = {"families": ["info", "lookup"], "max_per_family": 40}  # small, so the run is quick


def _words(r: random.Random, n: int) -> str:
    return " ".join("".join(r.choices(string.ascii_lowercase, k=6)) for _ in range(n))


def _user_file(path, n: int = 300):
    """``n`` distinct lines: messages and alpaca, English and Chinese."""
    r = random.Random(0)
    lines = []
    for i in range(n):
        if i % 3 == 0:
            rec = {"instruction": f"Explain {_words(r, 6)}", "input": _words(r, 4),
                   "output": f"It means {_words(r, 10)}."}  # fmt: skip
        elif i % 3 == 1:
            rec = {"messages": [{"role": "user", "content": f"Define {_words(r, 8)}"},
                                {"role": "assistant", "content": _words(r, 12)}]}  # fmt: skip
        else:
            zh = "".join(r.choices("天地人和春夏秋冬山水风云日月星光花草树木", k=20))
            rec = {"messages": [{"role": "user", "content": f"请解释：{zh}"},
                                {"role": "assistant", "content": f"这是{zh[::-1]}。"}]}  # fmt: skip
        lines.append(json.dumps(rec, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _replay(result):
    return [ex for part in result.splits.values() for ex in part if ex.meta["is_replay"]]


@pytest.mark.parametrize("share", [0.1, 0.15, 0.2])
def test_user_jsonl_share_within_bounds(corpus, tmp_path, share):
    src = _user_file(tmp_path / "general.jsonl")
    cfg = dataset_config(tmp_path / "out", replay_share=share, replay_source=str(src), **SMALL)
    result = build(corpus, corpus / "facts.jsonl", cfg)
    assert abs(result.stats["replay_share"] - share) <= 0.01
    replayed = _replay(result)
    assert replayed and all(ex.meta["split"] == "train" for ex in replayed)
    for ex in replayed:
        assert ex.meta["family"] == "replay" and not ex.meta["is_negative"]
        assert ex.meta["doc_ids"] == [] and ex.meta["pages"] == [] and ex.meta["fact_ids"] == []
        assert ex.messages[-1]["role"] == "assistant"
    assert {ex.meta["lang"] for ex in replayed} == {"zh", "en"}
    alpaca = [ex for ex in replayed if ex.messages[0]["content"].startswith("Explain")]
    assert alpaca and all("\n\n" in ex.messages[0]["content"] for ex in alpaca)  # + input
    assert "replay (general instructions" in (tmp_path / "out" / "card.md").read_text("utf-8")


def test_replay_never_moves_domain_examples(corpus, tmp_path):
    src = _user_file(tmp_path / "general.jsonl")
    base = build(corpus, corpus / "facts.jsonl", dataset_config(tmp_path / "a", **SMALL))
    cfg = dataset_config(
        tmp_path / "b", replay_source=str(src), replay_share=0.15, replay_in_val=True, **SMALL
    )
    mixed = build(corpus, corpus / "facts.jsonl", cfg)
    for name, part in base.splits.items():
        domain = [ex.id for ex in mixed.splits[name] if not ex.meta["is_replay"]]
        assert domain == [ex.id for ex in part]
    assert mixed.stats["documents_by_split"] == base.stats["documents_by_split"]
    by_split = mixed.stats["replay"]["by_split"]
    assert by_split["train"] > by_split["val"] > 0 and by_split["test"] == 0


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    from domainsft.models.testing import tiny_llama

    return tiny_llama(tmp_path_factory.mktemp("tiny"))


def test_self_distilled_share_progress_and_cache(corpus, tmp_path, tiny_model, monkeypatch):
    import domainsft.dataset.replay as replay

    monkeypatch.setenv("DOMAINSFT_CACHE", str(tmp_path / "cache"))
    cfg = DatasetConfig(  # the defaults: 15 % self-distilled replay
        out=tmp_path / "out", replay_model=str(tiny_model), replay_max_new_tokens=12, **SMALL
    )
    assert cfg.replay_source == "self" and cfg.replay_share == 0.15
    calls = []
    result = build(corpus, corpus / "facts.jsonl", cfg, progress=lambda *a: calls.append(a))
    assert abs(result.stats["replay_share"] - 0.15) <= 0.01
    replayed = _replay(result)
    prompts = {p["prompt"] for p in bundled_prompts()}
    assert all(ex.messages[0]["content"] in prompts for ex in replayed)
    assert all(ex.messages[-1]["content"] for ex in replayed)
    assert calls[-1] == (len(replayed), len(replayed), "replay answers")
    assert list((tmp_path / "cache" / "replay").glob("tiny-llama-*.jsonl"))

    def no_generation(*args, **kwargs):
        raise AssertionError("the rebuild generated answers instead of reading the cache")

    monkeypatch.setattr(replay, "_generate", no_generation)
    again = cfg.model_copy(update={"out": tmp_path / "again"})
    build(corpus, corpus / "facts.jsonl", again)
    train = "train.jsonl"
    assert (tmp_path / "again" / train).read_bytes() == (tmp_path / "out" / train).read_bytes()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            '{"prompt": "hi"}',
            r"no `messages` and no `instruction`/`output` keys .*each line must be",
        ),
        (
            '{"messages": [{"role": "user", "content": "hi"}]}',
            r"last message must be .*end the list with",
        ),
        (
            '{"messages": [{"role": "bot", "content": "hi"}]}',
            r"message 0 must be \{\"role\": system\|user\|assistant",
        ),
        ('{"instruction": "hi", "output": ""}', r"must be non-empty strings"),
        ('{"instruction": "hi", "output": "yo"', r"invalid JSON .*one complete JSON object"),
    ],
)
def test_bad_line_names_file_line_and_fix(corpus, tmp_path, line, message):
    good = '{"instruction": "Say hello", "output": "Hello!"}'
    src = tmp_path / "general.jsonl"
    src.write_text(f"{good}\n{line}\n", encoding="utf-8")
    cfg = dataset_config(tmp_path / "out", replay_share=0.1, replay_source=str(src), **SMALL)
    with pytest.raises(InputError, match=rf"general.jsonl:2: .*{message}"):
        build(corpus, corpus / "facts.jsonl", cfg)
    assert not (tmp_path / "out").exists()


def test_missing_file_says_what_to_give(corpus, tmp_path):
    missing = str(tmp_path / "nope.jsonl")
    cfg = dataset_config(tmp_path / "out", replay_share=0.1, replay_source=missing, **SMALL)
    with pytest.raises(
        InputError, match=r"replay_source: .*nope.jsonl: file not found; give 'self'"
    ):
        build(corpus, corpus / "facts.jsonl", cfg)


def test_share_is_validated():
    from domainsft.config import load_recipe

    with pytest.raises(InputError, match=r"dataset.replay_share"):
        load_recipe(None, ["dataset.replay_share=0.6"])


def test_bundled_prompts_cover_both_languages_and_kinds():
    prompts = bundled_prompts()
    assert 100 <= len(prompts) <= 150
    assert len({p["id"] for p in prompts}) == len({p["prompt"] for p in prompts}) == len(prompts)
    assert {p["lang"] for p in prompts} == {"zh", "en"}
    assert {p["category"] for p in prompts} == {
        "knowledge", "writing", "reasoning", "coding", "math",
    }  # fmt: skip


def test_cut_off_answers_end_at_a_full_sentence_before_any_loop():
    looped = "A poem.\nA gentle soul,\nA gentle soul,\nA gentle soul,"
    assert _clean(looped, "length") == "A poem."
    assert _clean("First. Second is cut", "length") == "First."
    assert _clean("第一句。第二句没说完", "length") == "第一句。"
    assert _clean("Complete answer. Trailing", "stop") == "Complete answer. Trailing"
