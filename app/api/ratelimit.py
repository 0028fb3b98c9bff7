"""A per-client rate limit (``KG_RATE_LIMIT`` requests per second, bursts of ``KG_RATE_BURST``).

A token bucket per client address: a client may make ``burst`` requests at once, then ``rate``
a second; beyond that the answer is a 429 problem with ``Retry-After``. The client is the
address of the connection (behind a proxy, run uvicorn with ``--proxy-headers`` and
``--forwarded-allow-ips`` so that is the real client). Buckets of clients quiet for a while are
dropped, so the table stays bounded by the clients of the last minute or so.
"""

from __future__ import annotations

import math
import time

from starlette.types import ASGIApp, Receive, Scope, Send

from .problems import send_problem

__all__ = ["RateLimit", "TokenBuckets"]


class TokenBuckets:
    """``take(client, now)``: 0 when the client may go on, else the seconds until it may.

    >>> buckets = TokenBuckets(rate=1, burst=2)
    >>> [buckets.take("a", now=0.0), buckets.take("a", now=0.0), buckets.take("a", now=0.0)]
    [0.0, 0.0, 1.0]
    >>> buckets.take("a", now=1.0), buckets.take("b", now=1.0)
    (0.0, 0.0)
    """

    def __init__(self, *, rate: float, burst: int, max_clients: int = 100_000) -> None:
        self.rate, self.burst, self.max_clients = rate, burst, max_clients
        self.buckets: dict[str, tuple[float, float]] = {}  # client: (tokens, when)

    def take(self, client: str, now: float) -> float:
        tokens, when = self.buckets.get(client, (self.burst, now))
        tokens = min(self.burst, tokens + (now - when) * self.rate)
        if tokens < 1:
            self.buckets[client] = (tokens, now)
            return (1 - tokens) / self.rate
        if len(self.buckets) >= self.max_clients and client not in self.buckets:
            self._forget_full(now)
        self.buckets[client] = (tokens - 1, now)
        return 0.0

    def _forget_full(self, now: float) -> None:
        """Drop the buckets that have refilled: those clients start afresh anyway."""
        refill = self.burst / self.rate
        self.buckets = {c: (t, w) for c, (t, w) in self.buckets.items() if now - w < refill}
        if len(self.buckets) >= self.max_clients:  # a flood of addresses: everyone starts afresh
            self.buckets.clear()


class RateLimit:
    def __init__(self, app: ASGIApp, *, rate: float, burst: int) -> None:
        self.app = app
        self.buckets = TokenBuckets(rate=rate, burst=burst)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = scope["client"][0] if scope.get("client") else "-"
        wait = self.buckets.take(client, time.monotonic())
        if not wait:
            await self.app(scope, receive, send)
            return
        retry_after = math.ceil(wait)
        await send_problem(
            send,
            scope,
            status=429,
            title="Too many requests",
            slug="rate-limited",
            detail=f"This client is limited to {self.buckets.rate:g} requests a second; retry in {retry_after} s.",
            headers={"Retry-After": str(retry_after)},
        )
