"""The OpenAI-compatible API of ``domainsft serve``.

Routes: ``POST /v1/chat/completions`` (SSE streaming or not), ``POST /v1/completions``, ``GET
/v1/models``, ``GET /health``, ``GET /metrics``, ``POST /v1/feedback`` and, behind the API
key, ``GET /admin/status``, ``POST /admin/promote``, ``/admin/rollback``, ``/admin/weights``.

A chat request goes through the answer pipeline (``domainsft.assistant``: understanding,
retrieval, the model, the numeric verifier, citations, the guard) unless it asks for the plain
model with ``"domainsft": {"grounding": false}``; the pipeline's extras (``citations``,
``numbers``, ``guard``, ``abstained``, ``verified``, ``version``) ride beside OpenAI's fields,
which the ``openai`` client keeps as extra attributes. A grounded answer is only final once the
verifier has checked it, so a grounded stream sends the checked answer (in pieces, then a last
chunk with the extras); a plain stream sends the model's tokens as they come.

The server picks the version that answers (``router.Router``: canary weights, sticky per user,
shadow copies), counts everything in ``metrics.ServeMetrics`` and rolls a candidate back by
itself when its 5xx or verifier-failure share passes the thresholds. Errors have OpenAI's body
(``{"error": {"message", "type", "param", "code"}}``) and never a stack trace.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import sys
import threading
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from domainsft.config import AssistantConfig, ServeConfig
from domainsft.models.backends import Generation
from domainsft.models.engine import (
    Delta,
    Done,
    EngineBusy,
    EngineClosed,
    Event,
    PromptTooLong,
    Sampling,
)
from domainsft.serve.metrics import ServeMetrics
from domainsft.serve.router import Router
from domainsft.serve.versions import Call

log = logging.getLogger("domainsft.serve")
KEPT_RESPONSES = 10_000  # answers kept in memory for /v1/feedback


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        kind: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
        headers: dict[str, str] | None = None,
        counted: bool = False,
    ):
        super().__init__(message)
        self.status, self.message, self.kind, self.code = status, message, kind, code
        self.param, self.headers = param, headers or {}
        self.counted = counted  # already in the metrics (the request had reached a version)

    def response(self) -> JSONResponse:
        body = {
            "error": {
                "message": self.message,
                "type": self.kind,
                "param": self.param,
                "code": self.code,
            }
        }
        return JSONResponse(body, status_code=self.status, headers=self.headers)


# ------------------------------------------------------------------------ request bodies
class _Body(BaseModel):
    model_config = ConfigDict(extra="allow")  # OpenAI parameters this server ignores


class ChatMessage(_Body):
    role: Literal["system", "user", "assistant", "developer", "tool"]
    content: str | list[dict[str, Any]] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):  # content parts: keep the text ones
            return "".join(str(p.get("text", "")) for p in self.content if p.get("type") == "text")
        return self.content or ""


class Extensions(_Body):
    grounding: bool = True


class ChatRequest(_Body):
    model: str
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = False
    max_tokens: int | None = Field(None, ge=1)
    max_completion_tokens: int | None = Field(None, ge=1)
    temperature: float = Field(0.0, ge=0, le=2)
    top_p: float = Field(1.0, gt=0, le=1)
    stop: str | list[str] | None = None
    seed: int | None = None
    n: int = Field(1, ge=1, le=1)
    user: str | None = None
    ignore_eos: bool = False  # vLLM's extension: run to max_tokens (benchmarks)
    stream_options: dict[str, Any] | None = None
    domainsft: Extensions = Field(default_factory=Extensions)


class CompletionRequest(_Body):
    model: str
    prompt: str
    stream: bool = False
    max_tokens: int = Field(16, ge=1)
    temperature: float = Field(0.0, ge=0, le=2)
    top_p: float = Field(1.0, gt=0, le=1)
    stop: str | list[str] | None = None
    seed: int | None = None
    n: int = Field(1, ge=1, le=1)
    user: str | None = None
    ignore_eos: bool = False
    stream_options: dict[str, Any] | None = None


class Feedback(_Body):
    response_id: str
    rating: int = Field(ge=-1, le=5, description="-1/0/1 (bad/neutral/good) or 1-5 stars.")
    correction: str | None = None
    comment: str | None = None


class VersionBody(_Body):
    version: str


class WeightsBody(_Body):
    weights: dict[str, float]


# ------------------------------------------------------------------------ server state
@dataclass
class RateLimiter:
    per_minute: int
    hits: dict[str, deque[float]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def check(self, who: str) -> None:
        if self.per_minute <= 0:
            return
        now = time.monotonic()
        with self.lock:
            q = self.hits.setdefault(who, deque())
            while q and now - q[0] >= 60.0:
                q.popleft()
            if len(q) >= self.per_minute:
                wait = max(1, int(60.0 - (now - q[0])) + 1)
                raise ApiError(
                    429,
                    f"rate limit of {self.per_minute} requests per minute reached; retry later",
                    "rate_limit_error",
                    "rate_limit_exceeded",
                    headers={"Retry-After": str(wait)},
                )
            q.append(now)


class Server:
    """Everything one running server holds: the versions, the answer pipeline, the router, the
    metrics, the keys and the logs."""

    def __init__(
        self,
        versions: Any,
        assistant: Any | None,
        cfg: ServeConfig,
        assistant_cfg: AssistantConfig | None = None,
        keys: list[str] | None = None,
        metrics: ServeMetrics | None = None,
        seed: int | None = None,
    ):
        self.versions = versions
        self.assistant = assistant
        self.cfg = cfg
        self.assistant_cfg = assistant_cfg or AssistantConfig()
        self.keys = [k.encode() for k in (keys or [])]
        self.metrics = metrics or ServeMetrics()
        weights = dict(cfg.weights) or {versions.names[-1]: 1.0}
        rb = cfg.rollback
        self.router = Router(
            list(versions.names),
            weights,
            dict(cfg.shadow),
            rb.min_requests,
            rb.max_error_rate,
            rb.max_verifier_failure_rate,
            seed,
        )
        self.limiter = RateLimiter(cfg.rate_limit_rpm)
        self.responses: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self.log_dir = Path(cfg.log_dir)
        self._log_lock = threading.Lock()
        self.shadow_tasks: set[asyncio.Task] = set()

    # -- auth and routing
    def authorize(self, request: Request) -> str:
        """The caller's identity for rate limits (its key's index, else its address)."""
        who = request.client.host if request.client else "unknown"
        if not self.keys:
            return who
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        given = token.strip().encode() if scheme.lower() == "bearer" else b""
        match = -1
        for i, key in enumerate(self.keys):  # every key compared, in constant time each
            if hmac.compare_digest(given, key):
                match = i
        if match < 0:
            raise ApiError(
                401,
                "missing or invalid API key: send 'Authorization: Bearer KEY'",
                "authentication_error",
                "invalid_api_key",
            )
        return f"key{match}"

    def version_for(self, model: str, user: str | None) -> str:
        if model in self.versions.names:
            return model
        if model in (self.cfg.served_name, ""):
            return self.router.pick(user)
        raise ApiError(
            404,
            f"the model {model!r} does not exist; served: "
            f"{', '.join([self.cfg.served_name, *self.versions.names])}",
            "invalid_request_error",
            "model_not_found",
            "model",
        )

    # -- bookkeeping
    def remember(self, rid: str, record: dict[str, Any]) -> None:
        self.responses[rid] = record
        while len(self.responses) > KEPT_RESPONSES:
            self.responses.popitem(last=False)

    def append_log(self, name: str, record: dict[str, Any]) -> Path:
        path = self.log_dir / name
        line = json.dumps(record, ensure_ascii=False)
        with self._log_lock:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as f:
                f.write(line + "\n")
        return path

    def finished(
        self, version: str, status: int, started: float, call: Call | None, reply: Any = None
    ) -> None:
        """Metrics and the canary's judgement for one finished request."""
        ttft, tpot = call.timings() if call else (None, None)
        self.metrics.observe_request(
            version,
            status=status,
            e2e_s=time.monotonic() - started,
            ttft_s=ttft,
            tpot_s=tpot,
            prompt_tokens=call.prompt_tokens if call else 0,
            generation_tokens=call.generation_tokens if call else 0,
            cached_tokens=call.cached_tokens if call else 0,
        )
        grounded = reply is not None
        verified = True
        if grounded:
            numbers = reply.verification.numbers if reply.verification else []
            verified = reply.abstained or all(
                n.status in ("verified", "recomputed") for n in numbers
            )
            self.metrics.observe_answer(
                version,
                numbers=[n.status for n in numbers],
                guard=[(g["rule"], g["action"]) for g in reply.guard],
                abstained=reply.abstained,
                citations=len(reply.citations),
                retrieval_pages=len(reply.pages),
                verified=verified,
            )
        why = self.router.record(version, status=status, grounded=grounded, verified=verified)
        if why:
            log.warning("rolled back %s: %s", version, why)
            self.metrics.observe_rollback(version)

    def refresh_load(self) -> None:
        for version, (running, waiting) in self.versions.load().items():
            self.metrics.set_load(version, running=running, waiting=waiting)

    # -- answering
    def sampling(self, body: ChatRequest | CompletionRequest, default_max: int) -> Sampling:
        stop = (body.stop,) if isinstance(body.stop, str) else tuple(body.stop or ())
        limit = getattr(body, "max_completion_tokens", None) or body.max_tokens or default_max
        return Sampling(limit, body.temperature, body.top_p, stop, body.seed, body.ignore_eos)

    async def grounded(self, call: Call, question: str, max_tokens: int | None) -> Any:
        call.max_new_tokens = max_tokens
        return await asyncio.to_thread(self.assistant.answer, question, call)


def _question(messages: list[ChatMessage]) -> str:
    for m in reversed(messages):
        if m.role == "user" and m.text().strip():
            return m.text()
    raise ApiError(400, "messages hold no user message with text to answer", param="messages")


def _id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:24]}"


def _extras(reply: Any, version: str) -> dict[str, Any]:
    j = reply.to_json()
    return {
        "citations": j["citations"],
        "numbers": j["numbers"],
        "guard": j["guard"],
        "abstained": j["abstained"],
        "verified": j["verified"],
        "version": version,
    }


def _pieces(text: str, size: int = 24) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def _sse(data: dict[str, Any] | str) -> bytes:
    payload = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    return f"data: {payload}\n\n".encode()


async def _read_json(request: Request, server: Server, model: type[BaseModel]) -> Any:
    size = request.headers.get("content-length")
    if size and size.isdigit() and int(size) > server.cfg.max_body_bytes:
        raise ApiError(
            413,
            f"request body of {size} bytes is over the limit of {server.cfg.max_body_bytes}",
            code="request_too_large",
        )
    raw = await request.body()
    if len(raw) > server.cfg.max_body_bytes:
        raise ApiError(
            413,
            f"request body of {len(raw)} bytes is over the limit of {server.cfg.max_body_bytes}",
            code="request_too_large",
        )
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, f"the body is not valid JSON: {exc}", code="invalid_json") from None
    if not isinstance(data, dict):
        raise ApiError(400, "the body must be a JSON object", code="invalid_json")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        param = ".".join(str(p) for p in first["loc"]) or None
        raise ApiError(
            400,
            f"{param}: {first['msg']}" if param else first["msg"],
            param=param,
            code="invalid_value",
        ) from None


# ------------------------------------------------------------------------ the app
def create_app(server: Server) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        # graceful shutdown: uvicorn has let in-flight requests finish; shadows finish too
        if server.shadow_tasks:
            await asyncio.wait(list(server.shadow_tasks), timeout=server.cfg.request_timeout_s)
        await asyncio.to_thread(server.versions.close)

    app = FastAPI(title="domainsft", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.server = server

    def count(request: Request, status: int) -> None:
        """A request that failed before its answer was counted (auth, parsing, limits, a
        bug): under its version once routed, else under ``unrouted``."""
        if request.url.path.startswith("/v1/"):
            version = getattr(request.state, "version", None) or "unrouted"
            server.metrics.observe_request(version, status=status)

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        if not exc.counted:
            count(request, exc.status)
        return exc.response()

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s", request.url.path)
        sentry = sys.modules.get("sentry_sdk")  # reported where `init_sentry` turned it on
        if sentry is not None and sentry.is_initialized():
            sentry.capture_exception(exc)
        count(request, 500)
        return ApiError(500, "internal server error", "server_error").response()

    @app.get("/health")
    async def health() -> dict[str, Any]:
        server.refresh_load()
        load = server.versions.load()
        return {
            "status": "ok",
            "versions": server.versions.names,
            "running": sum(r for r, _ in load.values()),
            "waiting": sum(w for _, w in load.values()),
        }

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        server.refresh_load()
        body, content_type = server.metrics.exposition()
        return Response(content=body, media_type=content_type)

    @app.get("/v1/models")
    async def models(request: Request) -> dict[str, Any]:
        server.authorize(request)
        created = int(time.time())
        names = [server.cfg.served_name, *server.versions.names]
        return {
            "object": "list",
            "data": [
                {"id": n, "object": "model", "created": created, "owned_by": "domainsft"}
                for n in names
            ],
        }

    @app.post("/v1/chat/completions")
    async def chat(request: Request) -> Response:
        who = server.authorize(request)
        server.limiter.check(who)
        body: ChatRequest = await _read_json(request, server, ChatRequest)
        user = body.user or request.headers.get("x-user")
        version = server.version_for(body.model, user)
        request.state.version = version
        if body.model == server.cfg.served_name:  # routed traffic only, not a named version
            for shadow in server.router.shadow_for(user):
                if shadow != version:
                    _start_shadow(server, shadow, body)
        started = time.monotonic()
        if body.domainsft.grounding and server.assistant is not None:
            return await _grounded(server, body, version, started, request)
        return await _plain_chat(server, body, version, started, request)

    @app.post("/v1/completions")
    async def completions(request: Request) -> Response:
        who = server.authorize(request)
        server.limiter.check(who)
        body: CompletionRequest = await _read_json(request, server, CompletionRequest)
        version = server.version_for(body.model, body.user or request.headers.get("x-user"))
        request.state.version = version
        started = time.monotonic()
        return await _plain(server, body, body.prompt, version, started, request, "text")

    @app.post("/v1/feedback")
    async def feedback(request: Request) -> dict[str, Any]:
        server.authorize(request)
        body: Feedback = await _read_json(request, server, Feedback)
        record = server.responses.get(body.response_id)
        if record is None:
            raise ApiError(
                404,
                f"no answer with id {body.response_id!r} (answers are kept for "
                f"the last {KEPT_RESPONSES} requests)",
                code="response_not_found",
                param="response_id",
            )
        entry = {
            "response_id": body.response_id,
            "rating": body.rating,
            "correction": body.correction,
            "comment": body.comment,
            "received": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            **record,
        }
        path = server.append_log("feedback.jsonl", entry)
        return {"object": "feedback", "response_id": body.response_id, "stored": str(path)}

    @app.get("/admin/status")
    async def admin_status(request: Request) -> dict[str, Any]:
        server.authorize(request)
        return server.router.status()

    @app.post("/admin/promote")
    async def admin_promote(request: Request) -> dict[str, Any]:
        server.authorize(request)
        body: VersionBody = await _read_json(request, server, VersionBody)
        _admin(server.router.promote, body.version)
        return server.router.status()

    @app.post("/admin/rollback")
    async def admin_rollback(request: Request) -> dict[str, Any]:
        server.authorize(request)
        body: VersionBody = await _read_json(request, server, VersionBody)
        if _admin(server.router.rollback, body.version):
            server.metrics.observe_rollback(body.version)
        return server.router.status()

    @app.post("/admin/weights")
    async def admin_weights(request: Request) -> dict[str, Any]:
        server.authorize(request)
        body: WeightsBody = await _read_json(request, server, WeightsBody)
        _admin(server.router.set_weights, body.weights)
        return server.router.status()

    return app


def _admin(action: Any, arg: Any) -> Any:
    try:
        return action(arg)
    except KeyError as exc:
        raise ApiError(404, str(exc.args[0]), code="version_not_found", param="version") from None
    except ValueError as exc:
        raise ApiError(400, str(exc), code="invalid_value") from None


async def _guarded_call(server: Server, version: str, call: Call, coro: Any) -> Any:
    """Await the answer under the request timeout; queue-full -> 429, timeout -> 504."""
    try:
        return await asyncio.wait_for(coro, server.cfg.request_timeout_s)
    except TimeoutError:
        call.cancel()
        raise ApiError(
            504, f"no answer within {server.cfg.request_timeout_s:g} s", "timeout_error", "timeout"
        ) from None
    except EngineBusy:
        raise ApiError(
            429,
            "the server is busy (its queue is full); retry shortly",
            "rate_limit_error",
            "queue_full",
            headers={"Retry-After": "1"},
        ) from None
    except PromptTooLong as exc:
        raise ApiError(413, str(exc), code="context_length_exceeded", param="messages") from None
    except EngineClosed:
        raise ApiError(
            503, "the server is shutting down", "server_error", "shutting_down"
        ) from None


async def _grounded(
    server: Server, body: ChatRequest, version: str, started: float, request: Request
) -> Response:
    question = _question(body.messages)
    if server.versions.count_tokens(question) > server.cfg.max_prompt_tokens:
        raise ApiError(
            413,
            f"the question is over {server.cfg.max_prompt_tokens} tokens",
            code="context_length_exceeded",
            param="messages",
        )
    call = server.versions.call(version)
    limit = body.max_completion_tokens or body.max_tokens
    try:
        reply = await _guarded_call(server, version, call, server.grounded(call, question, limit))
    except ApiError as exc:
        server.finished(version, exc.status, started, call)
        exc.counted = True
        raise
    errors = [d.error for d in call.done if d.error]
    if errors:
        server.finished(version, 500, started, call)
        log.error("generation failed for %s: %s", version, errors[0])
        raise ApiError(500, "generation failed", "server_error", counted=True)
    rid = _id("chatcmpl")
    extras = _extras(reply, version)
    server.remember(
        rid,
        {
            "version": version,
            "question": question,
            "answer": reply.answer,
            "messages": [m.model_dump() for m in body.messages],
            "prompt": reply.prompt,
            "model_answer": reply.model_answer,
            **{k: extras[k] for k in ("citations", "numbers", "verified", "abstained")},
        },
    )
    usage = {
        "prompt_tokens": call.prompt_tokens,
        "completion_tokens": call.generation_tokens,
        "total_tokens": call.prompt_tokens + call.generation_tokens,
        "prompt_tokens_details": {"cached_tokens": call.cached_tokens},
    }
    finish = "length" if call.done and call.done[-1].result.finish_reason == "length" else "stop"
    created = int(time.time())
    server.finished(version, 200, started, call, reply)
    if not body.stream:
        return JSONResponse(
            {
                "id": rid,
                "object": "chat.completion",
                "created": created,
                "model": body.model,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": reply.answer},
                        "finish_reason": finish,
                        "logprobs": None,
                    }
                ],
                "usage": usage,
                "system_fingerprint": None,
                **extras,
            }
        )

    include_usage = bool((body.stream_options or {}).get("include_usage"))

    async def events() -> AsyncIterator[bytes]:
        head = {
            "id": rid,
            "object": "chat.completion.chunk",
            "created": created,
            "model": body.model,
            "system_fingerprint": None,
        }
        yield _sse(
            {
                **head,
                "choices": [
                    {
                        "index": 0,
                        "delta": {"role": "assistant", "content": ""},
                        "finish_reason": None,
                    }
                ],
            }
        )
        for piece in _pieces(reply.answer):
            yield _sse(
                {
                    **head,
                    "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}],
                }
            )
        yield _sse(
            {**head, "choices": [{"index": 0, "delta": {}, "finish_reason": finish}], **extras}
        )
        if include_usage:
            yield _sse({**head, "choices": [], "usage": usage})
        yield _sse("[DONE]")

    return StreamingResponse(events(), media_type="text/event-stream")


async def _plain_chat(
    server: Server, body: ChatRequest, version: str, started: float, request: Request
) -> Response:
    messages = [
        {"role": "system" if m.role == "developer" else m.role, "content": m.text()}
        for m in body.messages
        if m.role in ("system", "user", "assistant", "developer")
    ]
    return await _plain(server, body, messages, version, started, request, "chat")


async def _plain(
    server: Server,
    body: ChatRequest | CompletionRequest,
    prompt: Any,
    version: str,
    started: float,
    request: Request,
    kind: Literal["chat", "text"],
) -> Response:
    """The model alone (no grounding), streamed token by token when asked."""
    if server.versions.count_tokens(prompt) > server.cfg.max_prompt_tokens:
        raise ApiError(
            413,
            f"the prompt is over {server.cfg.max_prompt_tokens} tokens",
            code="context_length_exceeded",
            param="messages" if kind == "chat" else "prompt",
        )
    call = server.versions.call(version)
    sampling = server.sampling(body, server.assistant_cfg.max_new_tokens)
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[Event] = asyncio.Queue()

    def forward(event: Event) -> None:
        loop.call_soon_threadsafe(queue.put_nowait, event)

    try:
        call.stream(prompt, sampling, forward)
    except PromptTooLong as exc:
        server.finished(version, 413, started, None)
        raise ApiError(413, str(exc), code="context_length_exceeded", counted=True) from None
    except EngineBusy:
        server.finished(version, 429, started, None)
        raise ApiError(
            429,
            "the server is busy (its queue is full); retry shortly",
            "rate_limit_error",
            "queue_full",
            headers={"Retry-After": "1"},
            counted=True,
        ) from None
    rid = _id("chatcmpl" if kind == "chat" else "cmpl")
    created = int(time.time())
    obj = "chat.completion" if kind == "chat" else "text_completion"

    deadline = time.monotonic() + server.cfg.request_timeout_s

    async def next_event() -> Event:  # TimeoutError once the request's time is up
        return await asyncio.wait_for(queue.get(), max(deadline - time.monotonic(), 0.0))

    def usage(d: Done) -> dict[str, Any]:
        r = d.result
        return {
            "prompt_tokens": r.n_prompt_tokens,
            "completion_tokens": r.n_new_tokens,
            "total_tokens": r.n_prompt_tokens + r.n_new_tokens,
            "prompt_tokens_details": {"cached_tokens": d.cached_tokens},
        }

    def finish_reason(d: Done) -> str:
        return "length" if d.result.finish_reason == "length" else "stop"

    if not body.stream:
        text = []
        try:
            while True:
                event = await next_event()
                if isinstance(event, Delta):
                    text.append(event.text)
                else:
                    break
        except TimeoutError:
            call.cancel()
            server.finished(version, 504, started, call)
            raise ApiError(
                504,
                f"no answer within {server.cfg.request_timeout_s:g} s",
                "timeout_error",
                "timeout",
                counted=True,
            ) from None
        call.done.append(event)
        if event.error:
            server.finished(version, 500, started, call)
            log.error("generation failed for %s: %s", version, event.error)
            raise ApiError(500, "generation failed", "server_error", counted=True)
        server.finished(version, 200, started, call)
        answer = event.result.text
        server.remember(rid, {"version": version, "prompt": prompt, "answer": answer})
        if kind == "chat":
            choice = {
                "index": 0,
                "message": {"role": "assistant", "content": answer},
                "finish_reason": finish_reason(event),
                "logprobs": None,
            }
        else:
            choice = {
                "index": 0,
                "text": answer,
                "finish_reason": finish_reason(event),
                "logprobs": None,
            }
        return JSONResponse(
            {
                "id": rid,
                "object": obj,
                "created": created,
                "model": body.model,
                "choices": [choice],
                "usage": usage(event),
                "system_fingerprint": None,
                "version": version,
            }
        )

    include_usage = bool((getattr(body, "stream_options", None) or {}).get("include_usage"))
    head = {
        "id": rid,
        "object": f"{obj}.chunk" if kind == "chat" else obj,
        "created": created,
        "model": body.model,
        "system_fingerprint": None,
    }

    def chunk(text: str | None, finish: str | None, first: bool = False) -> dict[str, Any]:
        if kind == "text":
            return {
                **head,
                "choices": [
                    {"index": 0, "text": text or "", "finish_reason": finish, "logprobs": None}
                ],
            }
        delta: dict[str, Any] = {} if text is None else {"content": text}
        if first:
            delta["role"] = "assistant"
        return {**head, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}

    async def events() -> AsyncIterator[bytes]:
        status = 200
        try:
            if kind == "chat":
                yield _sse(chunk("", None, first=True))
            while True:
                event = await next_event()
                if isinstance(event, Delta):
                    yield _sse(chunk(event.text, None))
                    continue
                call.done.append(event)
                if event.error:
                    status = 500
                    yield _sse(
                        {
                            "error": {
                                "message": "generation failed",
                                "type": "server_error",
                                "param": None,
                                "code": None,
                            }
                        }
                    )
                    break
                yield _sse({**chunk(None, finish_reason(event)), "version": version})
                if include_usage:
                    yield _sse({**head, "choices": [], "usage": usage(event)})
                server.remember(
                    rid, {"version": version, "prompt": prompt, "answer": event.result.text}
                )
                break
            yield _sse("[DONE]")
        except TimeoutError:
            status = 504
            call.cancel()
        except (asyncio.CancelledError, GeneratorExit):
            status = 499  # the client went away: free its batch slot
            call.cancel()
            raise
        finally:
            server.finished(version, status, started, call)

    return StreamingResponse(events(), media_type="text/event-stream")


def _start_shadow(server: Server, version: str, body: ChatRequest) -> None:
    """Mirror the request to a candidate: its answer goes to shadow.jsonl and the metrics,
    never to the client."""

    async def run() -> None:
        started = time.monotonic()
        call = server.versions.call(version)
        server.metrics.observe_shadow(version)
        record: dict[str, Any] = {
            "version": version,
            "messages": [m.model_dump() for m in body.messages],
        }
        try:
            if body.domainsft.grounding and server.assistant is not None:
                question = _question(body.messages)
                limit = body.max_completion_tokens or body.max_tokens
                reply = await asyncio.wait_for(
                    server.grounded(call, question, limit), server.cfg.request_timeout_s
                )
                server.finished(version, 200, started, call, reply)
                record |= {"answer": reply.answer, **_extras(reply, version)}
            else:
                msgs = [{"role": m.role, "content": m.text()} for m in body.messages]
                s = server.sampling(body, server.assistant_cfg.max_new_tokens)
                gen = Generation(s.max_new_tokens, s.stop, s.temperature)
                answers = await asyncio.wait_for(
                    asyncio.to_thread(call.generate, [msgs], gen), server.cfg.request_timeout_s
                )
                record["answer"] = answers[0].text
                server.finished(version, 500 if answers[0].error else 200, started, call)
        except Exception as exc:  # a shadow's failure never reaches the client
            call.cancel()
            server.finished(version, 500, started, call)
            record["error"] = f"{type(exc).__name__}: {exc}"
        record["latency_s"] = round(time.monotonic() - started, 3)
        server.append_log("shadow.jsonl", record)

    task = asyncio.get_running_loop().create_task(run())
    server.shadow_tasks.add(task)
    task.add_done_callback(server.shadow_tasks.discard)
