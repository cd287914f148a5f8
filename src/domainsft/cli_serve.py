"""``domainsft serve``: run the analyst as an OpenAI-compatible server, and steer its canary
(``serve status``, ``serve promote``, ``serve rollback``, ``serve weights``)."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from domainsft.cli import ConfigOpt, SetOpt, _fail, app, console
from domainsft.config import load_recipe
from domainsft.utils.jsonl import InputError

serve_app = typer.Typer(
    help="Serve the analyst as an OpenAI-compatible API (chat completions with SSE streaming, "
    "completions, models, health, Prometheus /metrics, feedback), with canary releases "
    "between the base model and its LoRA adapters. Without a subcommand it starts the "
    "server; `status`, `promote`, `rollback` and `weights` steer a running one. Takes "
    "--config/--set (sections `assistant:` and `serve:`).\n\n"
    "Example: domainsft serve --corpus runs/demo/corpus --adapter v1=runs/demo/train/adapter "
    "--set serve.weights='{base: 0.9, v1: 0.1}'\n\n"
    "Example: domainsft serve --run runs/annual_report (versions base and tuned)\n\n"
    "Example: domainsft serve status --url http://127.0.0.1:8000",
    invoke_without_command=True,
)
app.add_typer(serve_app, name="serve")

UrlOpt = Annotated[str, typer.Option(help="The running server's root URL.")]
KeyEnvOpt = Annotated[
    str, typer.Option(help="Variable holding the server's API key (sent as Bearer).")
]


@serve_app.callback()
def serve(
    ctx: typer.Context,
    corpus: Annotated[
        Path | None,
        typer.Option(help="Corpus folder (pages.jsonl + facts.jsonl); none: the plain model."),
    ] = None,
    model: Annotated[
        str | None, typer.Option(help="HF id, local dir or .gguf; default: SmolLM2.")
    ] = None,
    adapter: Annotated[
        list[str] | None,
        typer.Option(help="A LoRA adapter as NAME=PATH, served as version NAME. Repeatable."),
    ] = None,
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    api_keys: Annotated[
        Path | None, typer.Option(help="File of accepted API keys, one per line.")
    ] = None,
    upstream: Annotated[
        str | None,
        typer.Option(help="Generate with this OpenAI-compatible server (vLLM, llama-server)."),
    ] = None,
    upstream_model: Annotated[str | None, typer.Option(help="Model name at --upstream.")] = None,
    max_batch: Annotated[
        int | None, typer.Option(help="Requests decoded together (continuous batching).")
    ] = None,
    run: Annotated[
        Path | None,
        typer.Option(
            "--run",
            help="A `domainsft run` folder: its corpus, its base model as version `base` and "
            "its trained adapter as version `tuned` (its config.yaml as the recipe).",
        ),
    ] = None,
    config: ConfigOpt = None,
    set_: SetOpt = None,
) -> None:
    """Start the server (when no subcommand is given)."""
    if ctx.invoked_subcommand is not None:
        return
    if run is not None:
        from domainsft.run.reuse import from_run

        try:
            got = from_run(run)
        except InputError as exc:
            _fail(str(exc))
        config, corpus, model = config or got.config, corpus or got.corpus, model or got.model
        adapter = [*got.serve_adapters, *(adapter or [])]
    values = {
        "assistant.corpus": corpus,
        "assistant.model": model,
        "serve.host": host,
        "serve.port": port,
        "serve.api_keys_file": api_keys,
        "serve.upstream": upstream,
        "serve.upstream_model": upstream_model,
        "serve.max_batch": max_batch,
        "serve.adapters": adapter or None,
    }
    try:
        recipe = load_recipe(config, set_, {k: v for k, v in values.items() if v is not None})
        from domainsft.serve.launch import build_server, run

        server = build_server(recipe.assistant, recipe.serve)
    except InputError as exc:
        _fail(str(exc))
    cfg = recipe.serve
    auth = "API key required" if server.keys else "no API key (set DOMAINSFT_API_KEY)"
    console.print(
        f"serving {', '.join(server.versions.names)} as '{cfg.served_name}' on "
        f"http://{cfg.host}:{cfg.port}/v1 ({auth}; grounding: "
        f"{'on' if server.assistant else 'off, no --corpus'})"
    )
    run(server)


@serve_app.command()
def status(url: UrlOpt = "http://127.0.0.1:8000", api_key_env: KeyEnvOpt = "DOMAINSFT_API_KEY"):
    """Versions, canary weights, shadow shares and each version's recent answers.

    Example: domainsft serve status --url http://127.0.0.1:8000
    """
    _print(_admin(url, "status", None, api_key_env))


@serve_app.command()
def promote(
    version: Annotated[str, typer.Argument(help="The version that takes all traffic.")],
    url: UrlOpt = "http://127.0.0.1:8000",
    api_key_env: KeyEnvOpt = "DOMAINSFT_API_KEY",
):
    """Send all traffic to VERSION (it becomes the stable version).

    Example: domainsft serve promote v2
    """
    _print(_admin(url, "promote", {"version": version}, api_key_env))


@serve_app.command()
def rollback(
    version: Annotated[str, typer.Argument(help="The version to take off traffic.")],
    url: UrlOpt = "http://127.0.0.1:8000",
    api_key_env: KeyEnvOpt = "DOMAINSFT_API_KEY",
):
    """Take VERSION off traffic; its share goes to the stable version.

    Example: domainsft serve rollback v2
    """
    _print(_admin(url, "rollback", {"version": version}, api_key_env))


@serve_app.command()
def weights(
    spec: Annotated[str, typer.Argument(help="Weights as NAME=W,NAME=W (e.g. base=0.9,v2=0.1).")],
    url: UrlOpt = "http://127.0.0.1:8000",
    api_key_env: KeyEnvOpt = "DOMAINSFT_API_KEY",
):
    """Set the canary traffic weights.

    Example: domainsft serve weights base=0.9,v2=0.1
    """
    try:
        parsed = {k.strip(): float(w) for k, _, w in (p.partition("=") for p in spec.split(","))}
    except ValueError:
        _fail(f"weights {spec!r}: write NAME=W,NAME=W with numbers, e.g. base=0.9,v2=0.1")
    _print(_admin(url, "weights", {"weights": parsed}, api_key_env))


def _admin(url: str, action: str, body: dict[str, Any] | None, key_env: str) -> dict[str, Any]:
    headers = {"Content-Type": "application/json"}
    key = os.environ.get(key_env)
    if key:
        headers["Authorization"] = f"Bearer {key}"
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"{url.rstrip('/')}/admin/{action}", data=data, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        try:
            message = json.loads(exc.read())["error"]["message"]
        except (ValueError, KeyError, TypeError):
            message = str(exc.reason)
        hint = f" (export {key_env}=KEY)" if exc.code == 401 else ""
        _fail(f"{url}: HTTP {exc.code}: {message}{hint}")
    except urllib.error.URLError as exc:
        _fail(f"{url}: cannot reach the server ({exc.reason}); is `domainsft serve` running?")
    raise AssertionError("unreachable")


def _print(status: dict[str, Any]) -> None:
    weights = ", ".join(f"{v}={w:g}" for v, w in status["weights"].items())
    console.print(f"stable: {status['stable']}; weights: {weights}")
    if status.get("shadow"):
        console.print("shadow: " + ", ".join(f"{v}={s:g}" for v, s in status["shadow"].items()))
    for v, t in status.get("tallies", {}).items():
        console.print(
            f"  {v}: {t['requests']} requests, {t['errors']} 5xx, "
            f"{t['verifier_failures']}/{t['answers']} verifier failures"
        )
    for e in status.get("history", [])[-5:]:
        console.print(escape(f"  [{e['action']}] {e['version']} {e['reason']}".rstrip()))
