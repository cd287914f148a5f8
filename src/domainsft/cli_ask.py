"""``domainsft ask`` and ``domainsft verify``: the analyst's answer pipeline on the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from domainsft.cli import ConfigOpt, SetOpt, _fail, _stage, app, console
from domainsft.utils.jsonl import InputError


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question, in Chinese or English.")],
    corpus: Annotated[
        Path | None, typer.Option(help="Corpus folder: pages.jsonl + facts.jsonl.")
    ] = None,
    model: Annotated[
        str | None, typer.Option(help="HF id, local dir, .gguf or adapter dir; default: SmolLM2.")
    ] = None,
    adapter: Annotated[Path | None, typer.Option(help="A PEFT adapter to put on --model.")] = None,
    endpoint: Annotated[
        str | None, typer.Option(help="Answer with an OpenAI-compatible server (base URL).")
    ] = None,
    endpoint_model: Annotated[str | None, typer.Option(help="Model name at --endpoint.")] = None,
    draft_only: Annotated[
        bool, typer.Option("--draft-only", help="No model: answer from the facts alone.")
    ] = False,
    on_unverified: Annotated[
        str | None, typer.Option(help="flag | remove | refuse a figure that does not verify.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")] = False,
    run: Annotated[
        Path | None,
        typer.Option(
            "--run",
            help="A `domainsft run` folder: its corpus, base model and trained adapter (and "
            "its config.yaml as the recipe); flags given as well win.",
        ),
    ] = None,
    config: ConfigOpt = None,
    set_: SetOpt = None,
) -> None:
    """Answer a question about the ingested reports: grounded, every figure verified, cited.

    The question is matched to the company, year and figures of the corpus; the facts and the
    best report pages go into the prompt as data; the model answers; every number is checked
    against the reports (verified, recomputed, corrected or flagged); page citations are
    mended; the compliance guard applies. Questions the reports cannot answer get an answer
    that says what is not disclosed. --json prints {answer, citations, verified, numbers,
    guard, abstained, model, latency_s}.

    Examples:

    - domainsft ask --corpus runs/demo/corpus "四方科技2019年的营业收入是多少？"

    - domainsft ask --corpus corpus --adapter runs/demo/train/adapter --json
      "What was the gross margin of Marlow Bay Analytics Group plc in FY2023?"

    - domainsft ask --run runs/annual_report "宇恒电子2023年的营业收入是多少？"
    """
    if run is not None:
        from domainsft.run.reuse import from_run

        try:
            got = from_run(run, need_model=not draft_only)
        except InputError as exc:
            _fail(str(exc))
        config, corpus, model = config or got.config, corpus or got.corpus, model or got.model
        adapter = adapter or (got.adapter if model == got.model else None)
    cfg = _stage(
        config, set_, "assistant", corpus=corpus, model=model, adapter=adapter,
        endpoint=endpoint, endpoint_model=endpoint_model, on_unverified=on_unverified,
    )  # fmt: skip
    if cfg.corpus is None:
        _fail("give --corpus: the folder `domainsft ingest` and `domainsft facts` wrote")
    from domainsft.assistant.pipeline import Assistant
    from domainsft.models.backends import backend_from

    try:
        backend = None if draft_only else backend_from(cfg)
        reply = Assistant(cfg.corpus, backend, cfg).answer(question)
    except InputError as exc:
        _fail(str(exc))
    if as_json:
        typer.echo(json.dumps(reply.to_json(), ensure_ascii=False, indent=1))
        return
    typer.echo(reply.answer)
    _marks(reply.to_json())


@app.command()
def verify(
    corpus: Annotated[
        Path | None, typer.Option(help="Corpus folder: pages.jsonl + facts.jsonl.")
    ] = None,
    answer: Annotated[str | None, typer.Option(help="The answer text to audit.")] = None,
    file: Annotated[Path | None, typer.Option(help="A file holding the answer.")] = None,
    question: Annotated[
        str | None, typer.Option(help="The question it answers (scopes company and year).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the audit as JSON.")] = False,
    config: ConfigOpt = None,
    set_: SetOpt = None,
) -> None:
    """Audit an answer written by any model (or a person) against the reports.

    Every figure is classified: verified (printed in the reports, with its page), recomputed
    (arithmetic it shows, or a ratio/growth/sum/difference/CAGR of report figures),
    corrected (wrong arithmetic, or a figure that contradicts the fact it names; the fixed
    text is printed) or unverified. Years, dates and page numbers are not figures. The
    companies and years come from --question, else from the answer itself; with neither,
    every fact of the corpus is evidence. Exit code 1 when a figure is corrected or unverified.

    Example: domainsft verify --corpus runs/demo/corpus --answer "2023年营业收入为12.53亿元"
    """
    from domainsft.assistant.audit import audit

    if (answer is None) == (file is None):
        _fail("give the answer with exactly one of --answer TEXT or --file FILE")
    cfg = _stage(config, set_, "assistant", corpus=corpus)
    if cfg.corpus is None:
        _fail("give --corpus: the folder `domainsft ingest` and `domainsft facts` wrote")
    try:
        text = answer if answer is not None else _read(file)
        checked = audit(cfg.corpus, text, question or "")
    except InputError as exc:
        _fail(str(exc))
    out = {"answer": checked.text, "verified": checked.verified,
           "numbers": [n.to_dict() | {"printed": n.printed, "reason": n.reason}
                       for n in checked.numbers]}  # fmt: skip
    if as_json:
        typer.echo(json.dumps(out, ensure_ascii=False, indent=1))
    else:
        typer.echo(checked.text)
        _marks(out)
    if not checked.verified:
        raise typer.Exit(1)


def _read(path: Path | None) -> str:
    assert path is not None
    if not path.exists():
        raise InputError(f"{path}: no such file; pass the answer with --file FILE or --answer")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8; re-encode the answer as UTF-8") from None


def _marks(out: dict[str, Any]) -> None:
    """The citations and the verifier's marks, after the answer."""
    for c in out.get("citations", []):
        console.print(f"  [cite] {c['source']} p. {c['page']}: {c['snippet']}")
    for n in out["numbers"]:
        page = f" p. {n['page']}" if n.get("page") else ""
        was = f" (was {n['original']})" if n.get("original") else ""
        console.print(f"  [{n['status']}] {n['value']} {n['unit']}{page}{was}")
    for g in out.get("guard", []):
        console.print(f"  [guard] {g['rule']}: {g['action']}")
    if out.get("abstained"):
        console.print("  [abstained] the reports do not answer this")
