"""`build-dataset`: facts + pages -> train/val/test examples with provenance.

Reads top to bottom: check the config, read the inputs, run the families, mix, split, add the
feedback of a served model to train (``dataset.feedback``), write. Nothing is written until
everything has been read and built. ``dataset.feedback.only`` skips the families: the verified
feedback examples alone, for a quick continued fine-tune of the served adapter.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

from domainsft.config import AssistantConfig, DatasetConfig, dump_config, prompt_settings
from domainsft.corpus import pages_file
from domainsft.dataset import export, feedback, mix, replay
from domainsft.dataset.corpus import Index, load_pages
from domainsft.dataset.families import FAMILIES, Context
from domainsft.dataset.split import split
from domainsft.records import Example, Fact, read_facts
from domainsft.utils.jsonl import InputError, write_jsonl
from domainsft.utils.manifest import write_stage_record

Progress = Callable[[int, int, str], None]


@dataclass
class Result:
    splits: dict[str, list[Example]]
    stats: dict


def check_config(cfg: DatasetConfig) -> None:
    for name in cfg.families:
        if name not in FAMILIES or name == "negative":
            valid = [f for f in FAMILIES if f != "negative"]
            close = difflib.get_close_matches(name, valid, n=1)
            hint = f"did you mean `{close[0]}`? " if close else ""
            raise InputError(
                f"`dataset.families`: unknown family {name!r}; {hint}valid: {', '.join(valid)} "
                "(negatives come from `dataset.negative_share`)"
            )


def build(
    corpus: Path,
    facts_path: Path,
    cfg: DatasetConfig,
    progress: Progress | None = None,
    assistant: AssistantConfig | None = None,
) -> Result:
    """``assistant``: the recipe's section that shapes the grounded prompts (default: its
    defaults), the same one `ask`, `serve` and `eval --assistant` answer with."""
    check_config(cfg)
    facts = read_facts(facts_path)
    if cfg.feedback.only:
        return _feedback_only(corpus, facts_path, facts, cfg, assistant)
    # A report whose company `domainsft facts` could not name gives no question: it would ask
    # about "'s revenue". Its facts stay in the corpus (serving can still name it); the
    # dataset lists the files in stats.json.
    unnamed = sorted({f.source for f in facts if not f.company.strip()})
    tested = held_out_companies(facts, cfg)  # a pattern may match only unnamed reports
    facts = [f for f in facts if f.company.strip()]
    pages = load_pages(corpus)
    ctx = Context(Index(facts), cfg.seed, cfg.claim_false_share, pages)
    positives, removed = _positives(ctx, cfg, progress)
    distilled = _teacher(pages, ctx, cfg)  # None unless dataset.teacher.enabled
    positives += distilled.examples if distilled else []
    negatives = _negatives(ctx, cfg, len(positives))
    every = positives + negatives
    by_id = {f.fact_id: f for f in facts}
    for ex in every:
        mix.add_context(ex, by_id, pages, cfg.context_share, cfg.seed)
    if cfg.grounded_share > 0:
        mix.ground(every, corpus, facts, cfg.grounded_share, cfg.seed, assistant)
    splits = split(every, cfg.val_share, cfg.test_share, cfg.seed, tested)
    crossed = len(every) - sum(len(part) for part in splits.values())  # comparisons across splits
    replayed = replay.add(splits, cfg, progress)  # train/val only, after the split
    fed = _feedback(corpus, facts, cfg, splits, tested)  # None unless dataset.feedback.files
    measure, length = _length(cfg)
    s = export.stats(
        splits, length, duplicates_removed=removed, length_measure=measure, replay=replayed
    )
    if distilled:
        s["teacher"] = distilled.stats
        distilled.write_rejects(cfg.out)
    s["cross_split_dropped"] = crossed
    s["unnamed_reports_skipped"] = unnamed
    if fed is not None:
        s["feedback"] = fed
    export.write(cfg.out, splits, s, dump_config(cfg))
    _record(corpus, facts_path, cfg, assistant)
    return Result(splits, s)


def held_out_companies(facts: list[Fact], cfg: DatasetConfig) -> set[str] | None:
    """The companies whose reports ``dataset.test_sources`` matches (None: no patterns); a
    pattern that matches no report is an error, not a test split that silently goes empty."""
    if not cfg.test_sources:
        return None
    out: set[str] = set()
    for pattern in cfg.test_sources:
        hit = {f.company for f in facts if _matches(f.source, pattern)}
        if not hit:
            sources = sorted({f.source for f in facts})
            raise InputError(
                f"dataset.test_sources: {pattern!r} matches none of the {len(sources)} reports "
                f"(e.g. {', '.join(sources[:3])}); patterns are globs over these paths"
            )
        out |= hit
    return out


def _matches(source: str, pattern: str) -> bool:
    path = Path(source).as_posix()
    return fnmatch(path, pattern) or fnmatch(Path(path).name, pattern)


def record_inputs(
    corpus: Path, facts_path: Path, cfg: DatasetConfig, assistant: AssistantConfig | None = None
) -> dict[str, Any]:
    """The files the stage record hashes; public so that `domainsft run` predicts the record
    from the same list before deciding whether the stage must run again. The assistant's
    prompt settings count where grounded examples are built."""
    replay_file = Path(cfg.replay_source) if cfg.replay_source != "self" else None
    inputs: dict[str, Any] = {
        "pages": pages_file(corpus),
        "facts": facts_path,
        "replay_source": replay_file,
        "feedback": cfg.feedback.files,
    }
    if cfg.grounded_share > 0:
        inputs["grounding"] = prompt_settings(assistant)
    return inputs


def _record(
    corpus: Path, facts_path: Path, cfg: DatasetConfig, assistant: AssistantConfig | None
) -> None:
    inputs = record_inputs(corpus, facts_path, cfg, assistant)
    write_stage_record(cfg.out, "dataset", cfg, inputs)


def _feedback(
    corpus: Path, facts: list, cfg: DatasetConfig, splits: dict, tested: set[str] | None
) -> dict | None:
    """Verified feedback examples into ``splits["train"]``, those about a val/test company
    (``tested``: the test companies of ``dataset.test_sources``) to ``feedback_heldout.jsonl``;
    rejects written; returns the counts (None: no feedback)."""
    files = cfg.feedback.files
    if not files:
        return None
    got = feedback.collect(files, corpus, facts, cfg.feedback)
    test_share = cfg.test_share if tested is None else 0.0  # test_sources name the test split
    where = feedback.company_splits(facts, cfg.val_share, test_share, cfg.seed, splits)
    where |= dict.fromkeys(tested or (), "test")
    train, held = feedback.place(got.examples, where)
    splits["train"] = sorted(splits["train"] + train, key=lambda ex: ex.id)
    write_jsonl(cfg.out / feedback.REJECTS_FILE, got.rejects)
    write_jsonl(cfg.out / feedback.HELDOUT_FILE, (ex.to_dict() for ex in held))
    return got.stats(files) | {"train": len(train), "held_out": len(held)}


def _feedback_only(
    corpus: Path,
    facts_path: Path,
    facts: list,
    cfg: DatasetConfig,
    assistant: AssistantConfig | None,
) -> Result:
    if not cfg.feedback.files:
        raise InputError(
            "--feedback-only (dataset.feedback.only) needs a feedback log: add --feedback "
            "LOGS/feedback.jsonl (the file `domainsft serve` writes under serve.log_dir)"
        )
    splits: dict[str, list[Example]] = {"train": []}
    fed = _feedback(corpus, facts, cfg, splits, held_out_companies(facts, cfg))
    measure, length = _length(cfg)
    s = export.stats(splits, length, length_measure=measure, feedback=fed)
    export.write(cfg.out, splits, s, dump_config(cfg))
    _record(corpus, facts_path, cfg, assistant)
    return Result(splits, s)


def _positives(ctx: Context, cfg: DatasetConfig, progress: Progress | None):
    out, removed = [], 0
    for i, name in enumerate(cfg.families, start=1):
        made = [mix.assign_id(ex) for ex in FAMILIES[name](ctx) if ex.meta["lang"] in cfg.langs]
        made, dup = mix.dedup(made)
        removed += dup
        out += mix.sample(made, cfg.max_per_family, cfg.seed, name)
        if progress:
            progress(i, len(cfg.families), name)
    return out, removed


def _teacher(pages: dict, ctx: Context, cfg: DatasetConfig):
    if not cfg.teacher.enabled:
        return None
    from domainsft.dataset import teacher  # the optional teacher model, only when asked for

    return teacher.distil(pages, ctx.index, cfg)


def _negatives(ctx: Context, cfg: DatasetConfig, n_positive: int) -> list[Example]:
    pool = [mix.assign_id(ex) for ex in FAMILIES["negative"](ctx) if ex.meta["lang"] in cfg.langs]
    pool, _ = mix.dedup(pool)
    return mix.sample(pool, mix.negatives_needed(n_positive, cfg.negative_share), cfg.seed, "neg")


def _length(cfg: DatasetConfig) -> tuple[str, Callable[[list[dict[str, str]]], int]]:
    """Length of a conversation: with a tokenizer, its token ids as rendered by the chat
    template for training (what `train.max_length` counts); else a rough count."""
    if not cfg.tokenizer:
        return "CJK characters + words", export.rough_messages_length
    from domainsft.models import encode_chat, load_tokenizer

    tok = load_tokenizer(cfg.tokenizer)
    return (
        f"tokens of tokenizer {cfg.tokenizer}, chat template applied",
        lambda messages: len(encode_chat(tok, messages, add_generation_prompt=False)),
    )
