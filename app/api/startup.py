"""Bad data at start-up is reported as its list of problems, never as a traceback.

``python -m app serve`` validates before it starts the server. When the app is
served another way (``uvicorn app.main:app``), the lifespan's failure message is
what uvicorn prints: this middleware replaces Starlette's traceback in it by
the problems the loader found.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["StartupErrors"]


class StartupErrors:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return

        async def report(message: Message) -> None:
            problem = getattr(scope["app"].state, "startup_error", None)
            if message["type"] == "lifespan.startup.failed" and problem:
                message = {**message, "message": problem}
            await send(message)

        await self.app(scope, receive, report)
