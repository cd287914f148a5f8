"""`eval --assistant grounded verified`: both modes send the pipeline's grounded prompts to the
model, so one eval generates each prompt once; the recipe's `assistant` section shapes them."""

from __future__ import annotations

import json

import pytest

from domainsft.config import AssistantConfig, EvalConfig
from domainsft.corpus import load_facts
from domainsft.eval.evaluate import evaluate, record_inputs
from domainsft.models.backends import LocalBackend
from domainsft.utils.jsonl import write_jsonl


class Counting:
    """The real backend, counting the prompts it is asked to answer."""

    def __init__(self, inner: LocalBackend):
        self.inner, self.prompts = inner, []

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def generate(self, prompts, gen, progress=True):
        self.prompts += [json.dumps(p, ensure_ascii=False) for p in prompts]
        return self.inner.generate(prompts, gen, progress=progress)


@pytest.fixture(scope="module")
def backend(tmp_path_factory):
    from domainsft.models.testing import tiny_llama

    model = tiny_llama(tmp_path_factory.mktemp("tiny"), vocab_from="bpe")
    return LocalBackend(str(model), None, batch_size=4, dtype="float32", engine="continuous")


def _questions(corpus, path):
    facts = [f for f in load_facts(corpus) if f.metric == "revenue" and f.scope != "parent"]
    distinct = {(f.company, f.fiscal_year): f for f in facts}  # one question each
    rows = []
    for i, f in enumerate(list(distinct.values())[:4]):
        q = (f"{f.company_short}{f.fiscal_year}年的营业收入是多少？" if f.lang == "zh"
             else f"What was {f.company}'s revenue in fiscal {f.fiscal_year}?")  # fmt: skip
        rows.append({
            "id": f"q{i}",
            "messages": [{"role": "user", "content": q},
                         {"role": "assistant", "content": f.printed}],
            "meta": {"family": "lookup", "lang": f.lang, "fact_ids": [f.fact_id]},
        })  # fmt: skip
    write_jsonl(path, rows)
    return rows


def test_verified_reuses_the_grounded_generations(corpus, backend, tmp_path):
    rows = _questions(corpus, tmp_path / "test.jsonl")
    cfg = EvalConfig(
        data=tmp_path / "test.jsonl", corpus=corpus, out=tmp_path / "eval",
        assistant=["grounded", "verified"], max_new_tokens=8, mlflow=False,
    )  # fmt: skip
    counting = Counting(backend)
    results = evaluate(cfg, backend=counting, assistant=AssistantConfig(max_chars=300))
    assert {"domainsft_test+grounded", "domainsft_test+verified"} <= set(results["tasks"])
    # the plain task's prompts, then the grounded prompts once: verified asked for nothing new
    assert len(counting.prompts) == 2 * len(rows)
    grounded = counting.prompts[len(rows) :]
    assert len(set(grounded)) == len(rows) and all("<<<" in p for p in grounded)


def test_the_assistant_section_shapes_the_prompt_and_counts_in_the_record(
    corpus, backend, tmp_path
):
    _questions(corpus, tmp_path / "test.jsonl")
    cfg = EvalConfig(
        data=tmp_path / "test.jsonl", corpus=corpus, out=tmp_path / "eval",
        tasks=["test"], assistant=["grounded"], max_new_tokens=4, mlflow=False,
    )  # fmt: skip
    seen = {}
    for chars in (200, 1200):
        counting = Counting(backend)
        fresh = cfg.model_copy(update={"out": tmp_path / f"eval{chars}"})  # no stored answers
        evaluate(fresh, backend=counting, assistant=AssistantConfig(max_chars=chars))
        seen[chars] = max(len(p) for p in counting.prompts)
    assert seen[200] < seen[1200]
    short = record_inputs(cfg, assistant=AssistantConfig(max_chars=200))
    assert short["grounding"] != record_inputs(cfg)["grounding"]
    assert record_inputs(cfg.model_copy(update={"assistant": []}))["grounding"] is None


def test_a_grounded_item_is_asked_its_own_question_with_its_own_prompt(corpus, backend, tmp_path):
    """The dataset's grounded examples carry the pipeline's prompt: +grounded must ask the
    question inside it (not the whole prompt), and so send the very prompt the item holds."""
    from domainsft.assistant.pipeline import Assistant

    rows = _questions(corpus, tmp_path / "plain.jsonl")
    cfg_assistant = AssistantConfig(max_chars=300)
    pipeline = Assistant(corpus, None, cfg_assistant)
    for row in rows:
        question = row["messages"][0]["content"]
        row["messages"] = [*pipeline.prompt_for(question), row["messages"][-1]]
        row["meta"]["grounded"] = True
    write_jsonl(tmp_path / "test.jsonl", rows)
    cfg = EvalConfig(
        data=tmp_path / "test.jsonl", corpus=corpus, out=tmp_path / "eval",
        tasks=["test"], assistant=["grounded"], max_new_tokens=4, mlflow=False,
    )  # fmt: skip
    counting = Counting(backend)
    evaluate(cfg, backend=counting, assistant=cfg_assistant)
    plain, grounded = counting.prompts[: len(rows)], counting.prompts[len(rows) :]
    assert len(grounded) == len(rows) and grounded == plain
