"""With the DSN variable set, an unhandled server error reaches Sentry (a local HTTP endpoint
stands in for sentry.io and receives the SDK's real envelope), without the API key."""

from __future__ import annotations

import gzip
import json
import threading
import urllib.error
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar

import pytest

from tests.serve.conftest import make_server, serving

sentry_sdk = pytest.importorskip("sentry_sdk")


class _Collector(BaseHTTPRequestHandler):
    bodies: ClassVar[list[bytes]] = []

    def do_POST(self) -> None:
        size = int(self.headers.get("content-length") or 0)
        _Collector.bodies.append(self.rfile.read(size))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        return None


def test_an_unhandled_error_is_reported_to_sentry(tiny_with_adapters, tmp_path, monkeypatch):
    from domainsft.serve.launch import init_sentry

    sink = HTTPServer(("127.0.0.1", 0), _Collector)
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    monkeypatch.setenv("SENTRY_DSN", f"http://publickey@127.0.0.1:{sink.server_port}/1")
    key = f"sk-{uuid.uuid4().hex}"  # made here, so the SDK's source context cannot hold it
    monkeypatch.setenv("DOMAINSFT_API_KEY", key)
    base, _, _ = tiny_with_adapters
    server = make_server(base, None, {}, log_dir=tmp_path)
    assert init_sentry(server.cfg)
    try:

        def broken() -> dict:
            raise RuntimeError("the engine's load could not be read")

        monkeypatch.setattr(server.versions, "load", broken)
        with serving(server) as url:
            req = urllib.request.Request(
                f"{url}/v1/models", headers={"Authorization": f"Bearer {key}"}
            )
            with urllib.request.urlopen(req, timeout=30):
                pass  # /v1/models works; /health reads the load and fails
            with pytest.raises(urllib.error.HTTPError) as err:
                urllib.request.urlopen(f"{url}/health", timeout=30)
            assert err.value.code == 500
            body = json.loads(err.value.read())
            assert body["error"]["message"] == "internal server error"  # no stack trace
        sentry_sdk.flush(timeout=10)
    finally:
        sentry_sdk.get_client().close()
        sink.shutdown()
    sent = b"".join(gzip.decompress(b) if b[:2] == b"\x1f\x8b" else b for b in _Collector.bodies)
    assert b"the engine's load could not be read" in sent
    at = sent.find(key.encode())
    assert at < 0, sent[max(0, at - 400) : at + 50]
