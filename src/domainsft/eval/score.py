"""``domainsft score``: predictions JSONL vs gold JSONL → verdicts.jsonl + summary.json.

Prediction lines are ``{"id", "output", "pages"?}``; gold lines are
``{"id", "answer", "unit"?, "decimals"?, "pages"?}``. Every gold id is scored: a gold id with
no prediction counts as ``missing`` (and not correct); predictions for unknown ids are counted
and listed, or are an error with ``strict_ids``. Bad input raises ``InputError`` naming the
file, the line and the fix.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from domainsft.eval.gold import Gold, parse_gold
from domainsft.eval.matcher import MODES, match_answer
from domainsft.eval.pages import cited_pages, page_score
from domainsft.utils.jsonl import InputError, read_jsonl, write_json, write_jsonl

VERDICTS = ("correct", "wrong", "unparseable", "missing")


@dataclass
class ScoreResult:
    verdicts: list[dict[str, Any]]
    summary: dict[str, Any]


def _read_ids(path: Path, field: str, shape: str) -> dict[str, tuple[int, dict[str, Any]]]:
    """``{id: (line, record)}``, checking that every line has an id (once) and ``field``."""
    seen: dict[str, tuple[int, dict[str, Any]]] = {}
    for lineno, rec in read_jsonl(path):
        where = f"{path}:{lineno}"
        rid = rec.get("id")
        if rid is None or isinstance(rid, bool | dict | list) or str(rid) == "":
            raise InputError(f'{where}: no "id"; each line must be {shape}')
        if field not in rec:
            raise InputError(f'{where}: no "{field}" for id {rid!r}; each line must be {shape}')
        key = str(rid)
        if key in seen:
            raise InputError(
                f"{where}: duplicate id {key!r} (first on line {seen[key][0]}); "
                "ids must be unique, remove or rename one"
            )
        seen[key] = (lineno, rec)
    if not seen:
        raise InputError(f"{path}: no records; each line must be {shape}")
    return seen


def score_files(
    predictions: str | Path, gold: str | Path, mode: str = "strict", strict_ids: bool = False
) -> ScoreResult:
    """Score every gold record against its prediction; see the module docstring."""
    if mode not in MODES:
        raise InputError(f"unknown mode {mode!r}; use one of: {', '.join(MODES)}")
    pred_path, gold_path = Path(predictions), Path(gold)
    golds = _read_ids(gold_path, "answer", '{"id": ..., "answer": ...}')
    preds = _read_ids(pred_path, "output", '{"id": ..., "output": ...}')
    extra = [k for k in preds if k not in golds]
    missing = [k for k in golds if k not in preds]
    if strict_ids and (extra or missing):
        raise InputError(_id_mismatch(pred_path, gold_path, preds, extra, missing))
    verdicts = []
    for key, (lineno, rec) in golds.items():
        g = parse_gold(rec, f"{gold_path}:{lineno}")
        verdicts.append(_verdict(g, preds.get(key), mode, pred_path))
    summary = _summary(verdicts, mode, extra, missing)
    return ScoreResult(verdicts, summary)


def _id_mismatch(pred_path, gold_path, preds, extra: list[str], missing: list[str]) -> str:
    parts = []
    if extra:
        line = preds[extra[0]][0]
        parts.append(
            f"{pred_path}:{line}: id {extra[0]!r} is not in {gold_path} "
            f"({len(extra)} prediction id(s) without gold)"
        )
    if missing:
        parts.append(f"{len(missing)} gold id(s) without a prediction, first {missing[0]!r}")
    return "; ".join(parts) + "; score the matching files, or drop --strict-ids to count them"


def _verdict(g: Gold, pred: tuple[int, dict[str, Any]] | None, mode: str, path: Path) -> dict:
    row: dict[str, Any] = {"id": g.id, "kind": g.kind, "gold": g.printed}
    if g.quantity is not None:
        row |= {"gold_value": str(g.quantity.value), "unit": g.quantity.unit, "step": str(g.step)}
    if pred is None:
        return row | {"verdict": "missing", "reason": "no prediction"}
    lineno, rec = pred
    output = rec.get("output")
    output = "" if output is None else str(output)
    m = match_answer(output, g, mode)
    row |= {"verdict": m.verdict, "reason": m.reason, "predicted": m.predicted}
    if m.predicted_value is not None:
        row["predicted_value"] = str(m.predicted_value)
    if m.gold_elsewhere:
        row["gold_elsewhere"] = True
    if g.pools or rec.get("pages") is not None:
        row["pages"] = page_score(cited_pages(rec, f"{path}:{lineno}"), g.pools)
    return row | {"output": output}


def _summary(verdicts: list[dict], mode: str, extra: list[str], missing: list[str]) -> dict:
    n = len(verdicts)
    counts = Counter(v["verdict"] for v in verdicts)
    summary: dict[str, Any] = {
        "mode": mode,
        "n": n,
        "exact_match": round(counts["correct"] / n, 4) if n else 0.0,
        **{k: counts[k] for k in VERDICTS},
        "missing_predictions": len(missing),
        "extra_predictions": len(extra),
        "extra_ids": extra[:20],
        "by_kind": dict(Counter(v["kind"] for v in verdicts)),
        "wrong_by_reason": dict(Counter(v["reason"] for v in verdicts if v["verdict"] == "wrong")),
    }
    pages = [v["pages"]["score"] for v in verdicts if "pages" in v]
    if pages:
        summary["page_score"] = round(sum(pages) / len(pages), 4)
    return summary


def write_results(result: ScoreResult, out: str | Path) -> None:
    """``OUT/verdicts.jsonl`` (one line per gold id) and ``OUT/summary.json``."""
    out = Path(out)
    write_jsonl(out / "verdicts.jsonl", result.verdicts)
    write_json(out / "summary.json", result.summary)
