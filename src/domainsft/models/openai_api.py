"""A small client for OpenAI-compatible chat completions: ``POST {base_url}/chat/completions``.

Standard library only (urllib), so neither the teacher (``dataset``) nor an evaluation against
a served model (``eval --endpoint``) needs an extra install. 429, 5xx, timeouts and
dropped connections are retried with exponential backoff (``Retry-After`` is honoured, as the
OpenAI API documents for rate limits). What retrying cannot fix — nothing listening, a refused
key, an unknown model or path — raises ``EndpointError`` at once, naming the URL and the fix
(``hints`` names the settings the caller's user changes).
Anything else that goes wrong with one request raises ``RequestFailed``; the caller counts it.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from domainsft.utils.jsonl import InputError

RETRY_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}
MAX_BACKOFF_S = 30.0


class EndpointError(InputError):
    """The endpoint cannot be used at all; the message names the URL and how to fix it."""


class NotFound(EndpointError):
    """HTTP 404: a wrong path under base_url or an unknown model."""


class RequestFailed(RuntimeError):
    """One request failed (after its retries); the others may still succeed."""


class _Retry(Exception):
    def __init__(self, why: str, after: float | None = None):
        super().__init__(why)
        self.after = after


@dataclass(frozen=True)
class Hints:
    """The names a user sets to fix a failing endpoint, quoted in error messages."""

    base_url: str = "dataset.teacher.base_url"
    model: str = "dataset.teacher.model"
    api_key_env: str = "dataset.teacher.api_key_env"
    timeout: str = "dataset.teacher.timeout_s"
    what: str = "the teacher"


@dataclass
class ChatClient:
    base_url: str
    api_key: str | None = None
    api_key_env: str | None = None  # only to name the variable in error messages
    timeout_s: float = 120.0
    max_retries: int = 3
    backoff_s: float = 1.0
    hints: Hints = field(default_factory=Hints)
    requests: int = 0  # HTTP requests sent, retries included
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def url(self, path: str) -> str:
        return f"{self.base_url.rstrip('/')}/{path}"

    def chat(
        self, model: str, messages: list[dict[str, str]], *, temperature: float, max_tokens: int
    ) -> str:
        """The assistant's reply text (``choices[0].message.content``)."""
        reply = self.completion(model, messages, temperature=temperature, max_tokens=max_tokens)
        return reply["choices"][0]["message"]["content"] or ""

    def completion(
        self, model: str, messages: list[dict[str, str]], **params: Any
    ) -> dict[str, Any]:
        """The whole chat-completions reply (``choices``, ``usage`` ...); ``params`` are sent
        as given (``temperature``, ``max_tokens``, ``stop``, ``logprobs`` ...)."""
        body = {"model": model, "messages": messages, **params}
        reply = self._with_retries("chat/completions", body, model)
        try:
            reply["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError):
            raise RequestFailed(f"not a chat-completions reply: {str(reply)[:200]}") from None
        return reply

    def models(self) -> list[str] | None:
        """Model ids from ``GET {base_url}/models``; None where the endpoint has no such list.

        Called once before the first chat request, so a wrong URL or key fails in a second.
        """
        try:
            reply = self._request("models", None, "")
        except (_Retry, RequestFailed, NotFound):
            return None
        data = reply.get("data") if isinstance(reply, dict) else None
        return [str(m.get("id")) for m in data if isinstance(m, dict)] if data else None

    def _with_retries(self, path: str, body: dict[str, Any], model: str) -> Any:
        for attempt in range(self.max_retries + 1):
            try:
                return self._request(path, body, model)
            except _Retry as exc:
                if attempt == self.max_retries:
                    raise RequestFailed(
                        f"{self.url(path)}: {exc} (after {attempt + 1} attempts)"
                    ) from None
                wait = exc.after if exc.after is not None else self.backoff_s * 2**attempt
                time.sleep(min(wait, MAX_BACKOFF_S))
        raise AssertionError("unreachable")

    def _request(self, path: str, body: dict[str, Any] | None, model: str) -> Any:
        url = self.url(path)
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
        req = urllib.request.Request(url, data=data, headers=headers)
        with self._lock:
            self.requests += 1
        try:
            with urllib.request.urlopen(req, timeout=self.timeout_s) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as exc:
            raise self._http_error(url, exc, model) from None
        except urllib.error.URLError as exc:
            raise self._network_error(url, exc.reason) from None
        except TimeoutError:
            raise _Retry(self._timed_out()) from None
        except (ConnectionError, http.client.HTTPException) as exc:
            raise _Retry(f"{type(exc).__name__}: {exc}") from None
        try:
            return json.loads(raw)
        except ValueError:
            raise RequestFailed(f"{url}: the reply is not JSON: {raw[:200]!r}") from None

    def _timed_out(self) -> str:
        return f"no reply within {self.timeout_s:g} s ({self.hints.timeout})"

    def _network_error(self, url: str, reason: object) -> Exception:
        if isinstance(reason, ConnectionRefusedError):
            return EndpointError(
                f"{url}: connection refused, nothing is listening there. Start "
                f"{self.hints.what}'s OpenAI-compatible server (e.g. `vllm serve MODEL`, "
                f"`llama-server`, Ollama) or point `{self.hints.base_url}` at it (it usually "
                "ends in /v1)"
            )
        if isinstance(reason, TimeoutError):
            return _Retry(self._timed_out())
        return EndpointError(
            f"{url}: cannot reach {self.hints.what} ({reason}); check `{self.hints.base_url}`"
        )

    def _http_error(self, url: str, exc: urllib.error.HTTPError, model: str) -> Exception:
        detail = _error_text(exc)
        if exc.code in RETRY_STATUS:
            return _Retry(f"HTTP {exc.code} {detail}", _retry_after(exc))
        if exc.code in (401, 403):
            var = self.api_key_env or "the API key variable"
            where = "is not set" if not self.api_key else "was refused"
            return EndpointError(
                f"{url}: HTTP {exc.code} {detail}; the API key from ${var} {where}. Export it "
                f"(`export {var}=...`) or set `{self.hints.api_key_env}` to the variable "
                "that holds it; never put the key itself in the recipe"
            )
        if exc.code == 404:
            return NotFound(f"{url}: HTTP 404 {detail}; {self._not_found_hint(model)}")
        return RequestFailed(f"{url}: HTTP {exc.code} {detail}")

    def _not_found_hint(self, model: str) -> str:
        served = self.models() if model else None
        if served is not None and model not in served:
            return (
                f"the endpoint serves no model {model!r}; set `{self.hints.model}` to one "
                f"of: {', '.join(served[:20])}"
            )
        return (
            f"check `{self.hints.base_url}` (an OpenAI-compatible root usually ends in /v1) "
            f"and that model {model!r} is served there"
        )


def _error_text(exc: urllib.error.HTTPError) -> str:
    try:
        raw = exc.read().decode("utf-8", "replace")
    except OSError:
        return str(exc.reason)
    try:
        err = json.loads(raw)
        err = err.get("error", err.get("detail", err)) if isinstance(err, dict) else err
        msg = err.get("message", err) if isinstance(err, dict) else err
        return f"({str(msg)[:300]})"
    except ValueError:
        return f"({raw[:300]})" if raw.strip() else f"({exc.reason})"


def _retry_after(exc: urllib.error.HTTPError) -> float | None:
    value = exc.headers.get("Retry-After") if exc.headers else None
    try:
        return max(float(value), 0.0) if value is not None else None
    except ValueError:
        return None  # an HTTP date: fall back to exponential backoff
