"""Who is writing: the API key of a request, and whether its role may do what it asks."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from ..curation.curator import Curator
from ..curation.keys import ApiKey, Role, authenticate
from ..errors import Forbidden, Unauthenticated

__all__ = ["CuratorDep", "Editor", "bearer_token", "get_curator"]


async def get_curator(request: Request) -> Curator:
    return request.app.state.curator  # type: ignore[no-any-return]


CuratorDep = Annotated[Curator, Depends(get_curator)]


def bearer_token(authorization: str | None) -> str | None:
    """The key of an ``Authorization: Bearer KEY`` header, or None."""
    scheme, _, token = (authorization or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def requires(role: Role) -> object:
    """A dependency answering the request's key, if it is in force and its role may act as ``role``."""

    async def key_of(
        curator: CuratorDep,
        authorization: Annotated[
            str | None, Header(description="`Bearer KEY`, a key made with `python -m app keys create`.")
        ] = None,
    ) -> ApiKey:
        token = bearer_token(authorization)
        if token is None:
            raise Unauthenticated("this needs an API key: send Authorization: Bearer KEY")
        key = authenticate(curator.engine, token)
        if key is None:
            raise Unauthenticated("the API key is unknown or revoked")
        if not key.may(role):
            raise Forbidden(
                f"the key {key.name!r} has the role {key.role!r}; this needs {role!r}", role=key.role, required=role
            )
        return key

    return Depends(key_of)


Editor = Annotated[ApiKey, requires("editor")]
