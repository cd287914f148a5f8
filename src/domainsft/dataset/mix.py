"""Mixing the families: exact- and near-duplicate removal, a cap per family, the negative share, and
retrieved context on a share of prompts. Every choice is seeded per item, so the output is
the same for a seed whatever order the families ran in."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from pathlib import Path

from domainsft.config import AssistantConfig
from domainsft.dataset.render import context, rng_for
from domainsft.records import Example, Fact, Page
from domainsft.utils.minhash import NearDuplicateIndex


def normalised(ex: Example) -> str:
    text = " ".join(m["content"] for m in ex.messages if m["role"] != "system")
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


def dedup(examples: list[Example], threshold: float = 0.9) -> tuple[list[Example], int]:
    """Exact and near duplicates; the first one stays.

    Exact: equal after normalising case, width and whitespace. Near: MinHash Jaccard over
    character 5-grams >= ``threshold`` *and* the same figures in the same amounts, so two
    phrasings of one question about one fact collapse while questions about different
    figures never do.
    """
    seen: set[str] = set()
    near = NearDuplicateIndex(threshold=threshold)
    out = []
    for ex in examples:
        key = normalised(ex)
        if key in seen or near.add(key, key) is not None:
            continue
        seen.add(key)
        out.append(ex)
    return out, len(examples) - len(out)


def assign_id(ex: Example) -> Example:
    body = json.dumps([ex.messages, ex.meta["fact_ids"]], ensure_ascii=False, sort_keys=True)
    ex.id = f"{ex.meta['family']}-{hashlib.sha256(body.encode()).hexdigest()[:16]}"
    return ex


def sample(examples: list[Example], n: int, seed: int, tag: str) -> list[Example]:
    """``n`` examples chosen by a seeded key per example (stable under reordering)."""
    if len(examples) <= n:
        return examples
    ranked = sorted(examples, key=lambda ex: rng_for(seed, tag, ex.id).random())
    return ranked[:n]


def negatives_needed(n_positive: int, share: float) -> int:
    return round(share * n_positive / (1 - share)) if share > 0 else 0


def add_context(
    ex: Example, facts: dict[str, Fact], pages: dict[tuple[str, int], Page], share: float, seed: int
) -> None:
    """Prepend the cited rows (with page markers) to the question for a seeded share."""
    cited = [facts[i] for i in ex.meta["fact_ids"] if i in facts]
    if not cited or rng_for(seed, "context", ex.id).random() >= share:
        return
    block = context(cited, pages, ex.meta["lang"])
    if block:
        user = next(m for m in ex.messages if m["role"] == "user")
        user["content"] = f"{block}\n\n{user['content']}"
        ex.meta["with_context"] = True


def ground(
    examples: list[Example],
    corpus: Path,
    facts: list[Fact],
    share: float,
    seed: int,
    assistant: AssistantConfig | None = None,
) -> int:
    """For a seeded share of the examples (replay aside), replace the prompt by the answer
    pipeline's grounded prompt for the same question (``assistant.Assistant.prompt_for``: its
    system rules, figures, computation and pages); ``meta.grounded`` marks them. Returns how
    many were grounded. A question the pipeline abstains on keeps its prompt. ``assistant`` is
    the recipe's section of the same name (pages shown, characters per page): what serving
    shows is what training sees."""
    from domainsft.assistant.pipeline import Assistant

    pipeline = Assistant(corpus, None, assistant, facts=facts)
    done = 0
    for ex in examples:
        if ex.meta.get("is_replay") or rng_for(seed, "grounded", ex.id).random() >= share:
            continue
        question = next(m["content"] for m in reversed(ex.messages) if m["role"] == "user")
        prompt = pipeline.prompt_for(question)
        if prompt is None:
            continue
        answer = [m for m in ex.messages if m["role"] == "assistant"][-1:]
        ex.messages = [*prompt, *answer]
        ex.meta["grounded"] = True
        done += 1
    return done
