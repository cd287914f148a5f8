"""`domainsft train`: read and check everything, set up, loop, save.

Everything that can be wrong with the inputs (config, data files, method vs hardware, target
modules) is checked before the first training step (``train.setup``). The loop itself is plain
PyTorch under an ``accelerate.Accelerator``, which supplies autocast / loss scaling and, when
launched with ``accelerate launch``, DDP, FSDP or DeepSpeed: there is no hand-written
distributed layer.
"""

from __future__ import annotations

import time
from typing import Any

from domainsft.config import TrainConfig
from domainsft.train import checkpoint, optim, setup
from domainsft.train.data import tokenize
from domainsft.train.loop import (
    Counters,
    count,
    due,
    evaluate,
    log,
    progress_bar,
    restore,
    save_checkpoint,
    sharded,
    train_step,
)
from domainsft.train.outputs import save_merged, save_trained, write_summary
from domainsft.train.setup import Plan
from domainsft.train.tracking import Tracker
from domainsft.train.tuners import check_method
from domainsft.utils.imports import require


def train(
    cfg: TrainConfig, *, resume: bool = False, progress: bool = True, stop_after: int | None = None
) -> dict[str, Any]:
    """Train as ``cfg`` says; returns the summary that is also written to ``out/summary.json``.

    ``stop_after``: leave after that many steps (counted from the start of the run, resumed
    steps included) with a checkpoint written, as a time-boxed session would; the schedule is
    still that of the whole run, and ``resume=True`` later goes on exactly from there.
    """
    acc = setup.accelerator(cfg)
    check_method(cfg, acc.device)
    inputs = setup.read_inputs(cfg)
    start_ckpt = setup.resume_point(cfg) if resume else None
    require("accelerate", "train").utils.set_seed(cfg.seed)
    model, tokenizer, info = setup.model(cfg, acc)
    examples, report = tokenize(
        tokenizer,
        inputs.train,
        max_length=setup.longest(cfg),
        train_on_prompt=cfg.train_on_prompt,
        on_bad=cfg.on_bad_example,
    )
    val = setup.val_examples(tokenizer, inputs.val, cfg)
    plan = setup.make_plan(examples, cfg, acc.num_processes, info["packing"])
    anchor = setup.anchor(model, cfg, inputs.general, tokenizer, acc, info["packing"])
    opt = optim.optimizer(model, cfg)
    sched = optim.scheduler(opt, cfg, plan.total_steps)
    model, opt = acc.prepare(model, opt)
    step = (
        restore(start_ckpt, acc.unwrap_model(model), opt, sched, acc, anchor) if start_ckpt else 0
    )
    tracker = (
        Tracker(cfg.out / "metrics.jsonl", cfg.report_to, step) if acc.is_main_process else None
    )
    build = setup.batch_builder(examples, plan.packed, tokenizer.pad_token_id)
    counters, last = Counters(), {}
    bar = progress_bar(plan.total_steps, step, progress and acc.is_local_main_process)
    model.train()
    while step < plan.total_steps:
        t0 = time.perf_counter()
        units = plan.units_for(step, acc.process_index, acc.num_processes, cfg.seed)
        stats = train_step(model, [build(u).to(acc.device) for u in units], opt, acc, cfg, anchor)
        stats["lr"] = sched.get_last_lr()[0]  # the rate this step used
        sched.step()
        step += 1
        count(counters, stats, time.perf_counter() - t0)
        last = log(step, stats, counters, plan, cfg, tracker, bar)
        if due(step, cfg.eval_steps, plan.total_steps):
            last |= evaluate(step, model, tokenizer, val, inputs.val, cfg, acc, tracker, info)
        if due(step, cfg.save_steps, plan.total_steps) or step == stop_after:
            save_checkpoint(step, model, opt, sched, acc, anchor, cfg, counters)
        if step == stop_after and step < plan.total_steps:
            bar.close()
            if tracker:
                tracker.close()
            return {
                "stopped_at": step,
                "checkpoint": str(checkpoint.latest(cfg.out / "checkpoints")),
            }
    bar.close()
    if tracker:
        tracker.close()
    return _finish(model, tokenizer, cfg, acc, info, report, plan, counters, last, len(val))


# ------------------------------------------------------------------------- save


def _finish(
    model: Any,
    tokenizer: Any,
    cfg: TrainConfig,
    acc: Any,
    info: dict,
    report: Any,
    plan: Plan,
    c: Counters,
    last: dict,
    n_val: int,
) -> dict[str, Any]:
    acc.wait_for_everyone()
    summary: dict[str, Any] = {}
    state = acc.get_state_dict(model) if sharded(acc) else None  # collective: every rank
    if acc.is_main_process:
        inner = acc.unwrap_model(model)
        outputs = [save_trained(inner, tokenizer, cfg, state)]
        if cfg.merge:
            outputs.append(save_merged(outputs[0], cfg) if cfg.method != "full" else outputs[0])
        summary = {
            **info,
            "data": report.as_dict(),
            "val_examples": n_val,
            "precision": acc.mixed_precision,
            "steps": plan.total_steps,
            "epochs": plan.total_steps / plan.steps_per_epoch,
            "warmup_steps": optim.warmup_steps(plan.total_steps, cfg.warmup_ratio),
            "world_size": acc.num_processes,
            "seconds": c.seconds,
            "tokens_per_s": c.tokens / max(c.seconds, 1e-9),
            "token_utilisation": c.tokens / max(c.positions, 1),
            "final": last,
            "outputs": [str(p) for p in outputs],
        }
        write_summary(cfg, summary)
    acc.wait_for_everyone()
    return summary
