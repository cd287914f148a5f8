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
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from domainsft.ingest.ocr.engines import ENGINES as OCR_ENGINES
from domainsft.train.methods import METHODS as TRAIN_METHODS
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
    ocr_engine: Literal[tuple(OCR_ENGINES)] = Field(  # type: ignore[valid-type]
        "rapidocr",
        description="OCR engine: " + " | ".join(OCR_ENGINES) + " (ingest/ocr/engines.py).",
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


class JudgeConfig(StageConfig):
    enabled: bool = Field(
        True, description="Score each teacher (question, answer, page) for groundedness, 1-5."
    )
    model: str | None = Field(
        None, description="Judge model name at the same endpoint; none: the teacher's model."
    )
    min_score: int = Field(4, ge=1, le=5, description="Keep only examples scored at least this.")


class TeacherConfig(StageConfig):
    """Optional teacher (distillation): questions from page chunks and answers drafted by any
    OpenAI-compatible chat-completions endpoint, filtered by an LLM judge and a number check."""

    enabled: bool = Field(False, description="Ask a teacher model for extra examples.")
    base_url: str = Field(
        "http://localhost:8000/v1",
        description="OpenAI-compatible API root; POST {base_url}/chat/completions is called.",
    )
    model: str = Field("", description="Teacher model name as the endpoint knows it.")
    api_key_env: str | None = Field(
        "OPENAI_API_KEY",
        description="Name of the environment variable holding the API key (sent as a Bearer "
        "token when set); never put the key itself in a recipe.",
    )
    max_questions: int = Field(200, ge=1, description="Most teacher questions to ask for.")
    questions_per_chunk: int = Field(3, ge=1, le=20, description="Questions asked per chunk.")
    chunk_chars: int = Field(
        1500, ge=200, description="Pages are cut into chunks of at most this many characters."
    )
    max_tokens: int = Field(512, ge=8, description="Most tokens per teacher reply.")
    draft_answers: bool = Field(
        True,
        description="Ask the teacher for a full answer to each question (a second call); "
        "off: the short answer from question generation plus the page citation.",
    )
    temperature: float = Field(0.2, ge=0, le=2, description="Sampling temperature.")
    timeout_s: float = Field(120, gt=0, description="Seconds to wait for one reply.")
    max_retries: int = Field(
        3, ge=0, description="Retries on 429/5xx and timeouts, with exponential backoff."
    )
    concurrency: int = Field(4, ge=1, le=64, description="Chunks in flight at once.")
    judge: JudgeConfig = Field(default_factory=JudgeConfig)

    @model_validator(mode="after")
    def _needs_model(self) -> TeacherConfig:
        if self.enabled and not self.model:
            raise ValueError("set `dataset.teacher.model` to the endpoint's model name")
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must start with http:// or https://: {self.base_url!r}")
        return self


class FeedbackConfig(StageConfig):
    """Feedback from `domainsft serve` (its `feedback.jsonl`) as training examples: corrections
    and well-rated answers whose every figure the numeric verifier confirms in the corpus."""

    files: list[Path] = Field(
        default_factory=list,
        description="Feedback logs to read (serve.log_dir/feedback.jsonl); also --feedback.",
    )
    only: bool = Field(
        False,
        description="Write only the feedback examples (OUT/train.jsonl), no corpus-built "
        "families: a quick continued fine-tune of the served adapter; also --feedback-only.",
    )  # fmt: skip
    rated_answers: bool = Field(
        True,
        description="A positive rating without a correction makes the served answer an "
        "example, when it was verified and not an abstention (and verifies again here).",
    )  # fmt: skip
    rating_scale: Literal["auto", "thumbs", "stars"] = Field(
        "auto",
        description="How ratings read: thumbs (-1 bad, 0 neutral, 1 good), stars (1-5, "
        "`min_stars` and up good, 1-2 bad) or auto: -1/0 are thumbs, 2-5 stars, and a 1 is "
        "good in a file whose ratings are all -1..1, bad in one whose ratings are all 1..5, "
        "and skipped as ambiguous in a file that mixes both.",
    )  # fmt: skip
    min_stars: int = Field(4, ge=2, le=5, description="Lowest star rating that counts as good.")
    require_figures: bool = Field(
        True,
        description="Keep only answers that state at least one figure the verifier checked; "
        "false also keeps answers with no figure (nothing in them can be checked).",
    )  # fmt: skip


class DatasetConfig(StageConfig):
    """`domainsft build-dataset`: facts + pages -> train/val/test.jsonl with provenance."""

    out: Path = Field(
        Path("runs/demo/dataset"),
        description="Output folder: train/val/test.jsonl, alpaca/, sharegpt/, card.md, stats.",
    )
    families: list[str] = Field(
        default_factory=lambda: [
            "lookup",
            "multi",
            "derived",
            "yoy",
            "info",
            "claim",
            "trend",
            "compare",
            "summary",
        ],
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
    grounded_share: float = Field(
        0.0, ge=0, le=1,
        description="Share of examples whose prompt is the assistant's grounded prompt: the "
        "figures, computation and report pages the answer pipeline retrieves for the question, "
        "between its evidence markers, exactly as `ask` and `serve` render it.",
    )  # fmt: skip
    max_per_family: int = Field(
        2000, ge=1, description="Cap per family, so that no family dominates the mixture."
    )
    val_share: float = Field(0.1, ge=0, lt=1, description="Share of companies in validation.")
    test_share: float = Field(0.1, ge=0, lt=1, description="Share of companies in test.")
    test_sources: list[str] = Field(
        default_factory=list,
        description="Glob patterns over the reports' file paths (e.g. '*/reports/en/erc/*'): "
        "the companies of the reports they match make up the test split, and `test_share` "
        "is not used; the other companies split into train and val.",
    )
    seed: int = Field(0, description="Random seed; the same seed gives byte-identical output.")
    tokenizer: str | None = Field(
        None,
        description="Model spec whose tokenizer measures lengths in stats.json; none: "
        "CJK characters + whitespace-separated words.",
    )
    replay_share: float = Field(
        0.15, ge=0, le=0.5,
        description="Share of general-instruction replay examples in the dataset, against "
        "catastrophic forgetting (0-0.5; 0 turns replay off). Capped by the prompts available.",
    )  # fmt: skip
    replay_source: str = Field(
        "self",
        description="'self': the base model's own answers (`replay_model`) to ~120 bundled "
        "general prompts (zh + en), cached on disk; or a path to a JSONL of "
        '{"messages": [...]} or {"instruction", "input", "output"} lines.',
    )  # fmt: skip
    replay_model: str = Field(
        "default",
        description="Model spec that answers the replay prompts when replay_source is 'self' "
        "(the model you fine-tune; 'default' = the embedded SmolLM2-135M-Instruct).",
    )  # fmt: skip
    replay_max_new_tokens: int = Field(
        256, ge=8, le=4096,
        description="Most tokens per self-distilled answer (greedy); a cut-off answer ends at "
        "its last full sentence.",
    )  # fmt: skip
    replay_in_val: bool = Field(
        False,
        description="Also put a `val_share` of the replay examples in val (to watch general "
        "ability while training); replay never goes to test.",
    )  # fmt: skip
    teacher: TeacherConfig = Field(
        default_factory=TeacherConfig, description="Optional teacher model (off by default)."
    )
    feedback: FeedbackConfig = Field(
        default_factory=FeedbackConfig,
        description="Feedback logs of `domainsft serve` added to the train split (off: none).",
    )

    @field_validator("test_share")
    @classmethod
    def _shares(cls, v: float, info: Any) -> float:
        if v + info.data.get("val_share", 0) >= 1:
            raise ValueError("val_share + test_share must be below 1 (train needs a share)")
        return v


class LoraSection(StageConfig):
    r: int = Field(8, ge=1, description="LoRA rank.")
    alpha: int = Field(32, ge=1, description="LoRA alpha (the update is scaled by alpha / r).")
    dropout: float = Field(0.05, ge=0, lt=1, description="Dropout on the LoRA input.")
    target_modules: list[str] | Literal["all-linear"] = Field(
        default_factory=lambda: ["q_proj", "v_proj"],
        description="Module names to adapt (suffixes such as q_proj), or 'all-linear'.",
    )


class TrainConfig(StageConfig):
    """`domainsft train`: supervised fine-tuning of a model on a messages JSONL."""

    model: str = Field(
        "default",
        description="HF model id, local directory, .gguf file, or a PEFT adapter directory "
        "(continued training); 'default' is the embedded SmolLM2-135M-Instruct.",
    )  # fmt: skip
    data: Path = Field(
        Path("runs/demo/dataset/train.jsonl"),
        description="Training JSONL: messages, sharegpt (conversations) or alpaca lines.",
    )
    val_data: Path | None = Field(
        Path("runs/demo/dataset/val.jsonl"),
        description="Validation JSONL for eval loss and the generation metric; null: none.",
    )
    out: Path = Field(Path("runs/demo/train"), description="Output folder (adapter, card, ...).")
    method: Literal[tuple(TRAIN_METHODS)] = Field(  # type: ignore[valid-type]
        "lora",
        description=" | ".join(f"{k} ({v})" for k, v in TRAIN_METHODS.items()) + ".",
    )
    lora: LoraSection = Field(default_factory=LoraSection, description="LoRA/QLoRA settings.")
    prefix_tokens: int = Field(16, ge=1, description="Virtual tokens for prefix tuning.")
    freeze_layers: int = Field(0, ge=0, description="Freeze the lowest N transformer layers.")
    max_length: int = Field(2048, ge=16, description="Longest example in tokens.")
    packing: bool = Field(
        True,
        description="Pack examples into rows of `pack_length` tokens (attention stays within "
        "each example); off: padded batches of `batch_size`. Prefix tuning never packs.",
    )  # fmt: skip
    pack_length: int | None = Field(
        None,
        ge=16,
        description="Tokens per packed row; null: max_length (a shorter row also caps examples).",
    )
    batch_size: int = Field(4, ge=1, description="Examples per batch when not packing.")
    grad_accum: int = Field(1, ge=1, description="Micro-batches per optimizer step.")
    train_on_prompt: bool = Field(False, description="Supervise prompt tokens too.")
    on_bad_example: Literal["error", "drop"] = Field(
        "error",
        description="An example with no assistant tokens, or whose answer truncation cuts: "
        "stop with an error naming it, or drop it and count it in the card.",
    )  # fmt: skip
    label_smoothing: float = Field(0.0, ge=0, lt=1, description="Label smoothing of the loss.")
    epochs: float = Field(1.0, gt=0, description="Passes over the data (fractions allowed).")
    max_steps: int | None = Field(None, ge=1, description="Stop after this many steps.")
    lr: float = Field(1e-4, gt=0, description="Peak learning rate (after warmup).")
    min_lr: float = Field(1e-5, ge=0, description="Learning rate at the end of cosine decay.")
    warmup_ratio: float = Field(0.04, ge=0, le=0.5, description="Warmup share of all steps.")
    weight_decay: float = Field(0.0, ge=0, description="AdamW weight decay.")
    max_grad_norm: float | None = Field(1.0, gt=0, description="Clip gradients; null: off.")
    layer_lr_decay: float = Field(
        1.0,
        gt=0,
        le=1,
        description="Layer-wise lr decay: layer i of n learns at lr * decay^(n-1-i); 1: off.",
    )
    l2sp: float = Field(0.0, ge=0, description="L2-SP weight: pull toward the initial weights.")
    ewc: float = Field(0.0, ge=0, description="EWC weight (diagonal Fisher on `ewc_data`).")
    ewc_data: Path | None = Field(
        None,
        description="General-domain JSONL for the EWC Fisher; null: the replay examples "
        "(meta.is_replay) of the training data.",
    )  # fmt: skip
    ewc_batches: int = Field(16, ge=1, description="Batches used to estimate the Fisher.")
    precision: Literal["auto", "bf16", "fp16", "fp32"] = Field(
        "auto",
        description="auto: bf16 autocast where the hardware has it (bf16 CPUs, recent GPUs), "
        "fp16 with loss scaling on older GPUs, else fp32.",
    )  # fmt: skip
    gradient_checkpointing: bool = Field(False, description="Trade compute for memory.")
    device: str = Field("auto", description="auto | cpu | cuda | cuda:1 | mps.")
    seed: int = Field(0, description="Seed for data order, init and dropout.")
    log_steps: int = Field(1, ge=1, description="Write a metrics line every N steps.")
    eval_steps: int | None = Field(50, ge=1, description="Evaluate every N steps; null: end only.")
    eval_samples: int = Field(64, ge=1, description="Validation examples for the eval loss.")
    eval_generate: int = Field(
        8,
        ge=0,
        description="Validation examples answered by generation for the gold-number hit rate.",
    )
    eval_max_new_tokens: int = Field(96, ge=1, description="Generation budget per eval answer.")
    save_steps: int | None = Field(100, ge=1, description="Checkpoint every N steps; null: end.")
    keep_checkpoints: int = Field(2, ge=1, description="Checkpoints kept (newest).")
    merge: bool = Field(False, description="Also write the merged model (safetensors).")
    report_to: list[Literal["tensorboard", "mlflow"]] = Field(
        default_factory=list, description="Also log to these trackers when installed."
    )

    @field_validator("min_lr")
    @classmethod
    def _min_lr(cls, v: float, info: Any) -> float:
        if v > info.data.get("lr", v):
            raise ValueError("min_lr must not exceed lr")
        return v


class EvalConfig(StageConfig):
    """`domainsft eval` (generate, score, report) and `domainsft score` (pre-generated answers)."""

    out: Path = Field(
        Path("runs/demo/eval"),
        description="Output folder: results.json, samples.jsonl, report.html (eval); "
        "verdicts.jsonl + summary.json (score).",
    )
    mode: Literal["strict", "erc"] = Field(
        "strict",
        description="score: strict = numbers equal at the gold's precision; erc = the "
        "Enterprise RAG Challenge rule (within 1 % relative). eval takes each task's own mode.",
    )
    strict_ids: bool = Field(
        False, description="score: error when prediction and gold ids differ (else: counted)."
    )
    model: str = Field(
        "default",
        description="Model to evaluate: HF id, local directory, .gguf, or an adapter directory; "
        "'default' is the embedded SmolLM2-135M-Instruct.",
    )
    adapter: Path | None = Field(
        None, description="A PEFT adapter to put on `model` (its own base is used when unset)."
    )
    endpoint: str | None = Field(
        None,
        description="Evaluate a served model instead: an OpenAI-compatible base URL "
        "(e.g. http://localhost:8000/v1).",
    )
    endpoint_model: str | None = Field(
        None, description="Model name to request from the endpoint (default: `model`)."
    )
    api_key_env: str | None = Field(
        None, description="Environment variable that holds the endpoint's API key."
    )
    tasks: list[str] = Field(
        default_factory=lambda: ["test"],
        description="Built-in task names (test, tatqa_dev, erc_round2, general) or YAML specs.",
    )
    data: Path | None = Field(
        None, description="The dataset split the `test` task reads (e.g. DATASET/test.jsonl)."
    )
    corpus: Path | None = Field(
        None,
        description="Ingested corpus (folder with pages.jsonl) whose page texts citation "
        "precision and hallucinated-number checks read; without it, gold pages stand in.",
    )
    limit: int | None = Field(None, ge=1, description="At most this many items per task.")
    max_new_tokens: int | None = Field(
        None, ge=1, description="Answer length limit for every task (default: each task's own)."
    )
    batch_size: int = Field(8, ge=1, description="Prompts per generation batch (or requests "
                            "in flight for an endpoint).")  # fmt: skip
    dtype: str = Field(
        "auto", description="Weights dtype for a local model: auto (bf16 where native), "
        "float32 (full precision, no autocast), bfloat16, float16."
    )  # fmt: skip
    engine: Literal["static", "continuous"] = Field(
        "continuous",
        description="Local generation: continuous batching (a finished answer leaves the batch "
        "and the next prompt takes its row, as `serve` runs) or static padded batches.",
    )
    prefix_cache_mb: float = Field(
        0,
        ge=0,
        description="Continuous engine: keep up to this many MB of recent prompts' keys/values "
        "and reuse the prefix a new prompt shares with one of them (the system turn, the same "
        "pages); 0: off (the default: in bf16 a prefix computed with another prompt can move a "
        "near-tied greedy token, and eval's figures should not depend on the order prompts "
        "come in).",
    )
    options: dict[str, Any] = Field(
        default_factory=dict,
        description="Options for the tasks' suites, e.g. {pages: runs/erc/pages.jsonl, top_k: 3}.",
    )
    assistant: list[Literal["grounded", "verified"]] = Field(
        default_factory=list,
        description="Also run each task through the answer pipeline over `corpus`: grounded "
        "(evidence in the prompt, the model's answer as it is) and/or verified (the whole "
        "pipeline: verifier, draft fallback, guard); each adds a task `<task>+<mode>` (not to "
        "the general set: no report answers it).",
    )
    select_uncertain: int = Field(
        0, ge=0, description="Export the N least confident answers as Label Studio tasks."
    )
    name: str | None = Field(None, description="Run name in results and reports (default: out).")
    mlflow: bool = Field(True, description="Log to MLflow when it is installed.")


class AssistantConfig(StageConfig):
    """`domainsft ask` / `domainsft verify`: the grounded, verified answer pipeline."""

    corpus: Path | None = Field(
        None, description="Ingested corpus folder with pages.jsonl and facts.jsonl."
    )
    model: str = Field(
        "default",
        description="HF id, local directory, .gguf or adapter directory; 'default' is the "
        "embedded SmolLM2-135M-Instruct.",
    )
    adapter: Path | None = Field(None, description="A PEFT adapter to put on `model`.")
    endpoint: str | None = Field(
        None, description="Answer with an OpenAI-compatible server instead (base URL)."
    )
    endpoint_model: str | None = Field(None, description="Model name at the endpoint.")
    api_key_env: str | None = Field(None, description="Variable holding the endpoint's key.")
    dtype: str = Field("auto", description="Weights dtype for a local model (see eval.dtype).")
    batch_size: int = Field(8, ge=1, description="Questions answered per generation batch.")
    max_new_tokens: int = Field(256, ge=1, description="Answer length limit in tokens.")
    top_k: int = Field(
        3,
        ge=0,
        le=20,
        description="Report pages shown per question: the pages of the facts used, then the "
        "pages retrieval ranks best (0: no retrieval, the facts' pages only).",
    )
    max_chars: int = Field(
        1200, ge=100, description="Characters of each page shown put in the prompt."
    )
    on_unverified: Literal["flag", "remove", "refuse"] = Field(
        "flag",
        description="A figure the verifier can neither verify nor recompute: flag it (keep and "
        "report), remove the sentences that carry it, or refuse the answer.",
    )
    fallback: bool = Field(
        True,
        description="When the model's answer misses a figure the facts give (or the model "
        "says nothing usable), answer with the draft built from the facts instead.",
    )
    guard: bool = Field(True, description="Apply the compliance guard of the domain pack.")
    prose: bool = Field(
        True,
        description="Where no fact answers a question, read the reports' sentences for it "
        "(prose.yaml of the domain pack): a disclosure event (an acquisition, a change of "
        "officers) or a figure printed in running text, quoted with its page.",
    )
    verifier: bool = Field(
        True,
        description="Run the checks after the model: abstention on what the corpus rules out, "
        "the numeric verifier, the draft fallback, citation mending, the guard. Off: the "
        "model's grounded answer as it is (what `eval --assistant grounded` measures).",
    )


PROMPT_KEYS = ("top_k", "max_chars")


def prompt_settings(cfg: AssistantConfig | None) -> str:
    """The assistant settings that shape the grounded prompt (which pages, how much of each),
    as one text: the dataset's and eval's stage records hash it, so a changed `assistant.top_k`
    rebuilds the grounded examples and re-runs the assistant tasks."""
    cfg = cfg or AssistantConfig()
    return "assistant:" + ",".join(f"{k}={getattr(cfg, k)}" for k in PROMPT_KEYS)


class RollbackConfig(StageConfig):
    """When a candidate version is taken off traffic by itself."""

    min_requests: int = Field(
        20, ge=1, description="Requests a candidate must have answered before it is judged."
    )
    max_error_rate: float = Field(
        0.05, ge=0, le=1, description="Roll back above this share of 5xx answers."
    )
    max_verifier_failure_rate: float = Field(
        0.10, ge=0, le=1,
        description="Roll back above this share of grounded answers whose figures did not all "
        "verify, counted over the candidate's own answers.",
    )  # fmt: skip


class ServeConfig(StageConfig):
    """`domainsft serve`: the analyst as an OpenAI-compatible API (model, corpus and answer
    settings come from the `assistant` section)."""

    host: str = Field("127.0.0.1", description="Address to listen on (0.0.0.0: every interface).")
    port: int = Field(8000, ge=1, le=65535, description="Port to listen on.")
    served_name: str = Field(
        "domainsft",
        description="The model id clients ask for; the canary weights pick the version that "
        "answers. A request may also name a version (base or an adapter) directly.",
    )
    adapters: list[str] = Field(
        default_factory=list,
        description="LoRA adapters served from the one base, each NAME=PATH; every name is a "
        "version clients can ask for and the canary can route to.",
    )
    weights: dict[str, float] = Field(
        default_factory=dict,
        description="Canary traffic weights by version, e.g. {base: 0.9, v2: 0.1}; versions "
        "left out get 0. Empty: all traffic to the last adapter given (else the base).",
    )
    shadow: dict[str, float] = Field(
        default_factory=dict,
        description="Share of traffic mirrored to a candidate version, e.g. {v3: 0.2}: its "
        "answer is recorded (shadow log, metrics) and never returned.",
    )
    rollback: RollbackConfig = Field(default_factory=RollbackConfig)
    upstream: str | None = Field(
        None,
        description="Generate with an upstream OpenAI-compatible server (vLLM, llama-server, "
        "a hosted API; its base URL) instead of the in-process model.",
    )
    upstream_model: str | None = Field(
        None, description="Model name at `upstream` (default: assistant.model)."
    )
    upstream_api_key_env: str | None = Field(
        None, description="Variable holding the upstream server's key."
    )
    api_keys_file: Path | None = Field(
        None, description="File with one accepted Bearer API key per line (# comments)."
    )
    api_key_env: str | None = Field(
        "DOMAINSFT_API_KEY",
        description="Variable holding an accepted API key (unset and no keys file: no auth).",
    )
    max_batch: int = Field(8, ge=1, description="Requests decoded together (continuous batch).")
    prefix_cache_mb: float = Field(
        0,
        ge=0,
        description="Keep up to this many MB of recent prompts' keys/values and reuse the "
        "prefix a new prompt shares with one of them, under the same version (SmolLM2-135M: "
        "~23 KB per prompt token in bf16, so 512 MB holds ~23,000 tokens). Cuts the time to "
        "first token; in bf16 it can move a near-tied greedy token, so the same question may "
        "not get the same answer twice. 0 (the default): off.",
    )
    max_waiting: int = Field(64, ge=1, description="Requests queued beyond that; more get 429.")
    rate_limit_rpm: int = Field(
        0, ge=0, description="Requests per minute per API key (or client address); 0: no limit."
    )
    max_body_bytes: int = Field(1_000_000, ge=1024, description="Largest request body (413).")
    max_prompt_tokens: int = Field(
        4096, ge=16, description="Longest prompt in tokens (413 beyond it)."
    )
    request_timeout_s: float = Field(300.0, gt=0, description="A request running longer: 504.")
    sentry_dsn_env: str | None = Field(
        "SENTRY_DSN",
        description="Variable holding a Sentry DSN; when it is set, unhandled server errors "
        "are reported there (the `sentry` extra). Request bodies and keys are never sent.",
    )
    log_dir: Path = Field(
        Path("runs/serve"),
        description="Where feedback.jsonl (POST /v1/feedback) and shadow.jsonl are appended.",
    )


class RunConfig(StageConfig):
    """`domainsft run`: the reports a run reads."""

    reports: list[Path] = Field(
        default_factory=list,
        description="Annual-report PDFs or folders the run ingests where they lie (paths from "
        "the working folder); `--reports` replaces them.",
    )
    sample: bool | None = Field(
        None,
        description="Whether the run also generates the `samples` section's synthetic reports "
        "and ingests them beside `reports` (synthetic + real); default: only when no reports "
        "are given.",
    )


class Recipe(StageConfig):
    """A whole recipe: one section per stage. Sections that are absent take their defaults."""

    run: RunConfig = Field(default_factory=RunConfig)
    samples: SamplesConfig = Field(default_factory=SamplesConfig)
    ingest: IngestConfig = Field(default_factory=IngestConfig)
    facts: FactsConfig = Field(default_factory=FactsConfig)
    dataset: DatasetConfig = Field(default_factory=DatasetConfig)
    train: TrainConfig = Field(default_factory=TrainConfig)
    eval: EvalConfig = Field(default_factory=EvalConfig)
    assistant: AssistantConfig = Field(default_factory=AssistantConfig)
    serve: ServeConfig = Field(default_factory=ServeConfig)


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
    from domainsft.utils.yamlfile import read_yaml

    data = read_yaml(p, "recipe") or {}
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
