"""Datasette plugin (loaded with ``--plugins-dir``): JSON responses show Chinese as characters.

Datasette writes JSON with Python's default ``ensure_ascii=True``, so 重庆市 arrives as
``\\u91cd\\u5e86\\u5e02`` — valid, but unreadable in a browser or ``curl``. This wrapper re-encodes
every ``application/json`` response body with ``ensure_ascii=False`` (same data, UTF-8 text) and
fixes its Content-Length. Other responses (HTML, CSV streams) pass through untouched.
"""
from __future__ import annotations

import json

from datasette import hookimpl


def unescape(body: bytes) -> bytes:
    try:
        return json.dumps(json.loads(body), ensure_ascii=False).encode("utf-8")
    except ValueError:  # not JSON after all (or JSONP): leave it as it was
        return body


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def wrapped(scope, receive, send):
            if scope["type"] != "http":
                return await app(scope, receive, send)
            start, chunks = None, []

            async def capture(message):
                nonlocal start
                if message["type"] == "http.response.start":
                    headers = dict(message.get("headers") or [])
                    if headers.get(b"content-type", b"").startswith(b"application/json"):
                        start = message
                        return
                    return await send(message)
                if start is None:
                    return await send(message)
                chunks.append(message.get("body", b""))
                if message.get("more_body"):
                    return
                body = unescape(b"".join(chunks))
                headers = [(k, v) for k, v in start.get("headers") or [] if k.lower() != b"content-length"]
                headers.append((b"content-length", str(len(body)).encode()))
                await send({**start, "headers": headers})
                await send({"type": "http.response.body", "body": body})

            return await app(scope, receive, capture)

        return wrapped

    return wrap
