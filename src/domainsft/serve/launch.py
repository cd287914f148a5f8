"""Building a server from its config and running it under uvicorn.

Kept apart from ``app.py`` so tests build a ``Server`` from a tiny model in the process and
serve it on a free port the same way the command line does.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from domainsft.config import AssistantConfig, ServeConfig
from domainsft.serve.versions import LocalVersions, UpstreamVersions, parse_adapters
from domainsft.utils.imports import require
from domainsft.utils.jsonl import InputError


def read_keys(cfg: ServeConfig) -> list[str]:
    """The accepted API keys: the keys file's lines (blank lines and # comments skipped) and
    the variable ``cfg.api_key_env``. None at all: the server asks for no key."""
    keys: list[str] = []
    if cfg.api_keys_file is not None:
        path = Path(cfg.api_keys_file)
        if not path.exists():
            raise InputError(f"{path}: no such API keys file (serve.api_keys_file)")
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                keys.append(line)
        if not keys:
            raise InputError(f"{path}: holds no API key; write one key per line")
    if cfg.api_key_env and os.environ.get(cfg.api_key_env):
        keys.append(os.environ[cfg.api_key_env].strip())
    return keys


def build_server(assistant: AssistantConfig, cfg: ServeConfig, *, seed: int | None = None) -> Any:
    """The versions (local engine or upstream), the answer pipeline over the corpus, the keys."""
    require("fastapi", "serve")
    from domainsft.serve.app import Server

    adapters = parse_adapters(cfg.adapters)
    if assistant.adapter and "adapter" not in adapters:
        adapters = {"adapter": Path(assistant.adapter), **adapters}
    if cfg.upstream:
        versions: Any = UpstreamVersions(
            cfg.upstream,
            cfg.upstream_model or assistant.model,
            adapters,
            api_key_env=cfg.upstream_api_key_env,
            timeout_s=cfg.request_timeout_s,
        )
    else:
        model = None if assistant.model == "default" else assistant.model
        versions = LocalVersions(
            model,
            adapters,
            dtype=assistant.dtype,
            max_batch=cfg.max_batch,
            max_waiting=cfg.max_waiting,
            prefix_cache_mb=cfg.prefix_cache_mb,
        )
    for v in [*cfg.weights, *cfg.shadow]:
        if v not in versions.names:
            raise InputError(
                f"serve.weights/serve.shadow name the version {v!r}; the versions are "
                f"{', '.join(versions.names)} (base and the --adapter names)"
            )
    pipeline = None
    if assistant.corpus is not None:
        from domainsft.assistant.pipeline import Assistant

        pipeline = Assistant(assistant.corpus, None, assistant)
    return Server(versions, pipeline, cfg, assistant, read_keys(cfg), seed=seed)


def init_sentry(cfg: ServeConfig) -> bool:
    """Report unhandled errors to Sentry when the DSN variable is set; True when on. Personal
    data stays out: no request bodies, no headers (the API key), no local variables."""
    dsn = os.environ.get(cfg.sentry_dsn_env) if cfg.sentry_dsn_env else None
    if not dsn:
        return False
    sentry_sdk = require("sentry_sdk", "sentry", "sentry-sdk")
    sentry_sdk.init(dsn=dsn, traces_sample_rate=0.0, **_private_options(sentry_sdk.VERSION))
    return True


def _private_options(version: str) -> dict[str, Any]:
    """The options that keep personal data out, spelled as the installed SDK wants them:
    3.x replaced the separate flags of 2.x by one ``data_collection`` setting."""
    if int(version.split(".")[0]) >= 3:
        off = {"mode": "off"}
        return {
            "data_collection": {
                "user_info": False,
                "cookies": off,
                "http_headers": {"request": off},
                "http_bodies": [],
                "url_query_params": off,
                "stack_frame_variables": False,
            }
        }
    return {
        "send_default_pii": False,
        "include_local_variables": False,
        "max_request_body_size": "never",
    }


def run(server: Any) -> None:  # pragma: no cover - the blocking entry of the command line
    uvicorn = require("uvicorn", "serve")
    from domainsft.serve.app import create_app

    cfg = server.cfg
    init_sentry(cfg)
    uvicorn.run(
        create_app(server),
        host=cfg.host,
        port=cfg.port,
        log_level="info",
        timeout_graceful_shutdown=int(cfg.request_timeout_s),
    )
