"""One typed config object per stage, loaded from a recipe YAML and overridable from the CLI.

A recipe YAML has one top-level section per stage (``samples:``, ``ingest:`` ...). Values come
from the YAML, ``--set stage.key=value`` overrides them, and every field carries help text.
Unknown keys are errors that name the key and the closest valid one, so a typo never runs.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from domainsft.utils.jsonl import InputError


class StageConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class SamplesConfig(StageConfig):
    """`domainsft sample-reports`: synthetic annual reports with ground truth."""

    out: Path = Field(
        Path("runs/demo/reports"), description="Output folder for PDFs + truth.jsonl."
    )
    companies: int = Field(3, ge=1, le=200, description="Number of fictional companies.")
    years: str = Field("2021-2023", description="Fiscal years, e.g. '2021-2023' or '2022'.")
    lang: Literal["zh", "en", "both"] = Field("both", description="Report language(s).")
    scanned_pages: int = Field(2, ge=0, description="Pages per report rasterised as scans.")
    seed: int = Field(0, description="Random seed; the same seed gives byte-identical truth.")

    @field_validator("years")
    @classmethod
    def _years(cls, v: str) -> str:
        parse_years(v)
        return v


def parse_years(spec: str) -> list[int]:
    """'2021-2023' -> [2021, 2022, 2023]; '2022' -> [2022]."""
    try:
        if "-" in spec:
            a, b = (int(x) for x in spec.split("-", 1))
        else:
            a = b = int(spec)
    except ValueError:
        raise ValueError(f"years must look like '2021-2023' or '2022', got {spec!r}") from None
    if not 1990 <= a <= b <= 2100:
        raise ValueError(f"years {spec!r}: need 1990 <= first <= last <= 2100")
    return list(range(a, b + 1))


class RedactConfig(StageConfig):
    enabled: bool = Field(True, description="Replace personal data with typed placeholders.")
    types: list[Literal["id_card", "phone", "bank_card", "email", "uscc"]] = Field(
        default_factory=lambda: ["id_card", "phone", "bank_card", "email", "uscc"],
        description="Which kinds of personal data to redact.",
    )
    keep_disclosed_contacts: bool = Field(
        False,
        description="Keep e-mails/phones printed next to a disclosed corporate role "
        "(董事会秘书, 证券事务代表, investor relations) instead of redacting them.",
    )


class IngestConfig(StageConfig):
    """`domainsft ingest`: documents -> pages.jsonl."""

    out: Path = Field(Path("runs/demo/corpus"), description="Output folder for pages.jsonl etc.")
    workers: int = Field(0, ge=0, description="Parallel processes; 0 = one per CPU core.")
    ocr: Literal["auto", "always", "never"] = Field(
        "auto", description="auto: OCR pages whose text layer is missing or garbled."
    )
    ocr_engine: Literal["rapidocr", "tesseract"] = Field(
        "rapidocr", description="OCR engine: rapidocr (bundled ONNX models) or tesseract (Debian)."
    )
    ocr_dpi: int = Field(200, ge=72, le=600, description="Rendering resolution for OCR.")
    tables: bool = Field(True, description="Extract tables as rows of cells.")
    header_footer_band: float = Field(
        0.09, gt=0, lt=0.5, description="Top/bottom share of the page searched for headers/footers."
    )
    header_footer_min_share: float = Field(
        0.3, gt=0, le=1, description="A band line must repeat on this share of pages to be removed."
    )
    redact: RedactConfig = Field(default_factory=RedactConfig)
    dedup: bool = Field(True, description="Flag near-duplicate pages across documents (MinHash).")
    dedup_threshold: float = Field(0.9, gt=0, le=1, description="Jaccard similarity for dedup.")
    strict: bool = Field(False, description="Exit non-zero if any input is rejected.")


class FactsConfig(StageConfig):
    """`domainsft facts`: pages.jsonl -> facts.jsonl (figures with metric, period, unit, page)."""

    out: Path = Field(
        Path("runs/demo/facts.jsonl"),
        description="Output facts.jsonl; rejects, stats and the resolved config go beside it.",
    )
    prose: bool = Field(
        True,
        description="Also read figures from running text (实现营业收入587,220.97万元; "
        "'Revenue for 2021 was $4.9 billion'), not only from tables.",
    )
    parent_scope: bool = Field(
        True,
        description="Keep facts from parent-company (母公司/银行) statements, tagged "
        "scope=parent; key figures and consolidated statements are kept either way.",
    )
    min_confidence: float = Field(
        0.0, ge=0, le=1, description="Drop facts whose confidence is below this (0-1)."
    )
    unmapped_rejects: bool = Field(
        True,
        description="List statement row labels that matched no taxonomy metric in the rejects "
        "file, to grow the synonyms of the domain pack.",
    )


class DatasetConfig(StageConfig):
    """`domainsft build-dataset`: facts + pages -> train/val/test.jsonl with provenance."""

    out: Path = Field(
        Path("runs/demo/dataset"),
        description="Output folder: train/val/test.jsonl, alpaca/, sharegpt/, card.md, stats.",
    )
    families: list[str] = Field(
        default_factory=lambda: ["lookup", "multi", "derived", "yoy", "info", "claim"],
        description="Task families to generate (negatives are added by `negative_share`).",
    )
    langs: list[Literal["zh", "en"]] = Field(
        default_factory=lambda: ["zh", "en"],
        description="Keep examples in these languages (an example speaks its report's language).",
    )
    negative_share: float = Field(
        0.08, ge=0, lt=0.5, description="Share of unanswerable questions in the dataset (0-0.5)."
    )
    claim_false_share: float = Field(
        0.5, ge=0, le=1, description="Share of claim-verification questions whose figure is wrong."
    )
    context_share: float = Field(
        0.3, ge=0, le=1,
        description="Share of prompts that carry retrieved context (the cited rows with a page "
        "marker), as the assistant sees them when serving.",
    )  # fmt: skip
    max_per_family: int = Field(
        2000, ge=1, description="Cap per family, so that no family dominates the mixture."
    )
    val_share: float = Field(0.1, ge=0, lt=1, description="Share of companies in validation.")
    test_share: float = Field(0.1, ge=0, lt=1, description="Share of companies in test.")
    seed: int = Field(0, description="Random seed; the same seed gives byte-identical output.")
    tokenizer: str | None = Field(
        None,
        description="Model spec whose tokenizer measures lengths in stats.json; none: "
        "CJK characters + whitespace-separated words.",
    )

    @field_validator("test_share")
    @classmethod
    def _shares(cls, v: float, info: Any) -> float:
        if v + info.data.get("val_share", 0) >= 1:
            raise ValueError("val_share + test_share must be below 1 (train needs a share)")
        return v


class Recipe(StageConfig):
    """A whole recipe: one section per stage. Sections that are absent take their defaults."""

    samples: SamplesConfig = Field(default_factory=SamplesConfig)
    ingest: IngestConfig = Field(default_factory=IngestConfig)
    facts: FactsConfig = Field(default_factory=FactsConfig)
    dataset: DatasetConfig = Field(default_factory=DatasetConfig)


def _suggest(key: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(key, choices, n=1)
    return f" Did you mean `{close[0]}`?" if close else f" Valid keys: {', '.join(choices)}."


def _explain(err: ValidationError, model: type[BaseModel], where: str) -> InputError:
    lines = []
    for e in err.errors():
        loc = ".".join(str(p) for p in e["loc"])
        if e["type"] == "extra_forbidden":
            sub: Any = model
            for part in e["loc"][:-1]:
                sub = sub.model_fields[str(part)].annotation
            choices = list(getattr(sub, "model_fields", {}))
            lines.append(f"unknown key `{loc}`.{_suggest(str(e['loc'][-1]), choices)}")
        else:
            lines.append(f"`{loc}`: {e['msg']}")
    return InputError(f"{where}: " + "; ".join(lines))


def parse_override(item: str) -> tuple[list[str], Any]:
    """'ingest.redact.enabled=false' -> (['ingest','redact','enabled'], False)."""
    if "=" not in item:
        raise InputError(f"--set {item!r}: expected KEY=VALUE, e.g. --set ingest.ocr=never")
    key, raw = item.split("=", 1)
    return key.strip().split("."), yaml.safe_load(raw) if raw.strip() else ""


def load_recipe(
    path: str | Path | None = None,
    overrides: list[str] | None = None,
    values: dict[str, Any] | None = None,
) -> Recipe:
    """Load a recipe YAML (or the defaults), apply ``--set`` overrides, then typed ``values``.

    ``overrides`` are strings parsed as YAML scalars (``ingest.ocr=never``); ``values`` are
    already-typed command-line flags keyed by dotted path (``{"samples.years": "2022"}``).
    """
    data: dict[str, Any] = {}
    where = "defaults"
    if path is not None:
        where = str(path)
        data = _read_yaml(Path(path))
    settings = [parse_override(item) for item in overrides or []]
    settings += [(key.split("."), value) for key, value in (values or {}).items()]
    for keys, value in settings:
        _assign(data, keys, value)
    if overrides:
        where += " with --set overrides"
    try:
        return Recipe.model_validate(data)
    except ValidationError as err:
        raise _explain(err, Recipe, where) from None


def _read_yaml(p: Path) -> dict[str, Any]:
    if not p.exists():
        raise InputError(f"{p}: recipe not found")
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        raise InputError(f"{p}{line}: invalid YAML ({exc})") from None
    if not isinstance(data, dict):
        raise InputError(f"{p}: a recipe must be a mapping of stage sections")
    return data


def _assign(data: dict[str, Any], keys: list[str], value: Any) -> None:
    node = data
    for k in keys[:-1]:
        node = node.setdefault(k, {})
        if not isinstance(node, dict):
            raise InputError(f"`{'.'.join(keys)}`: `{k}` is not a section")
    node[keys[-1]] = value


def dump_config(cfg: BaseModel) -> str:
    return yaml.safe_dump(cfg.model_dump(mode="json"), allow_unicode=True, sort_keys=False)
