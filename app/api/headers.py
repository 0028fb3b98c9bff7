"""Headers every response carries before the service sits behind a public URL.

- ``X-Content-Type-Options``, ``Referrer-Policy`` and ``X-Frame-Options`` on every answer;
- a ``Content-Security-Policy`` on HTML pages (a page that sets its own keeps it). The API
  documentation pages FastAPI renders (``/docs``, ``/redoc``) start their viewer with an inline
  script and may load it from a CDN: for those pages only, whose HTML the server writes without
  any request input, the policy also allows the hashes of their inline scripts and the origins
  they name (``page_policy``), so they keep working, online or with same-origin assets;
- redirects the service makes itself point at a path, never at the ``Host`` the client sent:
  Starlette's trailing-slash redirect builds an absolute URL from that header, so a forged
  ``Host: evil.example`` would come back as ``location: http://evil.example/...``.

A pure ASGI middleware: it only rewrites the ``http.response.start`` message.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Collection
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["SecurityHeaders", "page_policy", "relative_location"]

_ALWAYS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


_INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE)
_ORIGIN = re.compile(rb"""(?:src|href)=["'](https://[^/"']+)""", re.IGNORECASE)


class SecurityHeaders:
    def __init__(
        self, app: ASGIApp, *, content_security_policy: str, documentation_pages: Collection[str] = ()
    ) -> None:
        self.app = app
        self.policy = content_security_policy
        self.csp = content_security_policy.encode("latin-1")
        self.documentation_pages = frozenset(documentation_pages)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        held: list[Message] = []  # a documentation page, until its body is known

        async def send_with_headers(message: Message) -> None:
            if held:
                held.append(message)
                if not message.get("more_body", False):
                    body = b"".join(m.get("body", b"") for m in held[1:])
                    start = held[0]
                    policy = page_policy(body, self.policy).encode("latin-1")
                    await send({**start, "headers": [*start["headers"], (b"content-security-policy", policy)]})
                    await send({"type": "http.response.body", "body": body})
                return
            if message["type"] == "http.response.start":
                headers, content_type, has_policy = _without_banner(message)
                if content_type.startswith(b"text/html") and not has_policy:
                    if scope["path"] in self.documentation_pages:
                        held.append({**message, "headers": headers})
                        return
                    headers.append((b"content-security-policy", self.csp))
                message["headers"] = _relative_redirect(headers) if message["status"] in _REDIRECTS else headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _without_banner(start: Message) -> tuple[list[tuple[bytes, bytes]], bytes, bool]:
    """The headers of a response start without ``server`` and with those of every answer; its content type,
    and whether it has a content security policy of its own."""
    headers: list[tuple[bytes, bytes]] = []
    content_type, has_policy = b"", False
    for pair in start.get("headers", ()):
        name = pair[0].lower()
        if name == b"server":
            continue
        if name == b"content-type":
            content_type = pair[1]
        elif name == b"content-security-policy":
            has_policy = True
        headers.append(pair)
    return headers + list(_ALWAYS), content_type, has_policy


def _relative_redirect(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """A redirect's ``location`` made relative: never a host taken from the request's ``Host``."""
    for index, (name, value) in enumerate(headers):
        if name.lower() == b"location":
            headers[index] = (b"location", relative_location(value.decode("latin-1")).encode("latin-1"))
    return headers


def relative_location(location: str) -> str:
    """The path, query and fragment of a redirect target: the client resolves it against its own URL.

    >>> relative_location("http://evil.example/entities/?q=x")
    '/entities/?q=x'
    >>> relative_location("//evil.example/x")
    '/x'
    >>> relative_location("/already/relative")
    '/already/relative'
    """
    parts = urlsplit(location)
    path = parts.path if parts.path.startswith("/") else "/" + parts.path
    path = "/" + path.lstrip("/")  # never '//host': a browser reads that as another host
    return path + (f"?{parts.query}" if parts.query else "") + (f"#{parts.fragment}" if parts.fragment else "")


def page_policy(html: bytes, policy: str) -> str:
    """``policy`` widened for one server-written page: its inline scripts by hash, the origins it names.

    >>> page_policy(b'<script src="https://cdn.example/v.js"></script><script>go()</script>', "default-src 'self'")
    ... # doctest: +NORMALIZE_WHITESPACE
    "default-src 'self'; script-src 'self' https://cdn.example 'sha256-5KYv+PUboo5h+0+YAtGRPbwv5d/QxzHslP4YGnUaxRw=';
    style-src 'self' 'unsafe-inline' https://cdn.example; img-src 'self' data: https://cdn.example;
    font-src 'self' data: https://cdn.example https://fonts.gstatic.com; worker-src 'self' blob:"
    """
    origins = sorted({origin.decode("latin-1") for origin in _ORIGIN.findall(html)})
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(body).digest()).decode() + "'"
        for body in _INLINE_SCRIPT.findall(html)
    ]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if " " in part.strip())
    # Viewers insert their own <style> elements; Redoc runs a worker from a blob: URL and its CSS
    # loads fonts from Google's font host.
    directives.update(
        {
            "script-src": " ".join(["'self'", *origins, *hashes]),
            "style-src": " ".join(["'self'", "'unsafe-inline'", *origins]),
            "img-src": " ".join(["'self'", "data:", *origins]),
            "font-src": " ".join(["'self'", "data:", *origins, "https://fonts.gstatic.com"]),
            "worker-src": "'self' blob:",
        }
    )
    return "; ".join(f"{name} {value}" for name, value in directives.items())
