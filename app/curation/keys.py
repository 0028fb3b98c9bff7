"""API keys with roles: made once and shown once, stored as SHA-256 hashes, checked in constant time.

A key is 32 random bytes, so a fast hash is enough to keep the stored value
useless to a reader of the database (there is nothing to guess by brute force);
a slow password hash would only slow every write.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from .tables import api_keys

__all__ = ["ROLES", "ApiKey", "KeyExists", "authenticate", "create_key", "revoke_key"]

Role = Literal["reader", "editor", "admin"]
ROLES: tuple[Role, ...] = ("reader", "editor", "admin")  # each may do what the ones before it may


class KeyExists(Exception):
    pass


@dataclass(frozen=True)
class ApiKey:
    name: str
    role: Role

    def may(self, role: Role) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def create_key(engine: Engine, *, name: str, role: Role) -> str:
    """A new key for ``name`` (which must be new); the key is returned once and never stored."""
    key = "kg_" + secrets.token_urlsafe(32)
    try:
        with engine.begin() as connection:
            connection.execute(insert(api_keys).values(name=name, role=role, key_hash=_hash(key), created_at=now()))
    except IntegrityError:
        raise KeyExists(f"a key named {name!r} exists; revoke it or choose another name") from None
    return key


def revoke_key(engine: Engine, name: str) -> bool:
    """Revoke the key named ``name``; False if there is no such key in force."""
    with engine.begin() as connection:
        done = connection.execute(
            update(api_keys).where(api_keys.c.name == name, api_keys.c.revoked_at.is_(None)).values(revoked_at=now())
        )
    return bool(done.rowcount)


def authenticate(engine: Engine, key: str) -> ApiKey | None:
    """The key in force that ``key`` is, or None. Every stored hash is compared, in constant time."""
    presented = _hash(key)
    found = None
    with engine.connect() as connection:
        rows = connection.execute(
            select(api_keys.c.name, api_keys.c.role, api_keys.c.key_hash).where(api_keys.c.revoked_at.is_(None))
        ).all()
    for name, role, stored in rows:
        if hmac.compare_digest(presented, stored):
            found = ApiKey(name, role)
    return found
