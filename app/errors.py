"""Domain errors, each with the HTTP status it maps to.

    ServiceError
    ├── UnknownEntity      404  no entity has that id, name or alias
    ├── AmbiguousEntity    409  several entities answer to that name
    ├── UnknownRelation    404
    ├── BadParameter       422  a query parameter is malformed, out of range, or asks for more than a
    │                           documented bound allows
    ├── Unauthenticated    401  a write without a key in force
    ├── Forbidden          403  a key whose role may not do this
    ├── UnknownChange      404  no journal entry has that number
    ├── Conflict           409  an id already taken; a change that no longer applies (revert)
    ├── PreconditionFailed 412  ``If-Match`` names a version that is no longer the current one
    ├── InvalidObject      422  a written entity or relation breaks a rule (names the field)
    └── Overloaded         503  heavy work refused or out of time under load; ``Retry-After`` says when

``DataError`` is not a request error: it stops start-up and lists every
problem found in a dataset folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class ServiceError(Exception):
    status = 400
    title = "Bad request"
    slug = "bad-request"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra

    @property
    def headers(self) -> dict[str, str]:
        return {}

    def __reduce__(self) -> tuple[Any, ...]:
        # Heavy work raises these in worker processes; they travel back pickled, whatever their __init__.
        return _rebuild, (type(self), self.detail, self.extra)


def _rebuild(cls: type[ServiceError], detail: str, extra: dict[str, Any]) -> ServiceError:
    error = cls.__new__(cls)
    ServiceError.__init__(error, detail, **extra)
    return error


class UnknownEntity(ServiceError):
    status, title, slug = 404, "Unknown entity", "unknown-entity"

    def __init__(self, ref: str, suggestions: list[str]) -> None:
        hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"No entity is named {ref!r}{hint}", ref=ref, suggestions=suggestions)


class AmbiguousEntity(ServiceError):
    status, title, slug = 409, "Ambiguous entity", "ambiguous-entity"

    def __init__(self, ref: str, candidates: list[str]) -> None:
        super().__init__(
            f"{ref!r} names {len(candidates)} entities: use one of their ids",
            ref=ref,
            candidates=candidates,
        )


class UnknownRelation(ServiceError):
    status, title, slug = 404, "Unknown relation", "unknown-relation"

    def __init__(self, relation_id: str) -> None:
        super().__init__(f"No relation has the id {relation_id!r}", relation_id=relation_id)


class BadParameter(ServiceError):
    status, title, slug = 422, "Invalid parameter", "invalid-parameter"

    def __init__(self, parameter: str, reason: str) -> None:
        super().__init__(f"{parameter}: {reason}", parameter=parameter)


class Overloaded(ServiceError):
    status, title, slug = 503, "Service overloaded", "overloaded"

    def __init__(self, detail: str, *, retry_after: float) -> None:
        super().__init__(detail, retry_after=max(1, round(retry_after)))

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.extra["retry_after"])}


class Unauthenticated(ServiceError):
    status, title, slug = 401, "Authentication required", "unauthenticated"

    @property
    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": "Bearer"}


class Forbidden(ServiceError):
    status, title, slug = 403, "Forbidden", "forbidden"


class UnknownChange(ServiceError):
    status, title, slug = 404, "Unknown change", "unknown-change"

    def __init__(self, seq: int) -> None:
        super().__init__(f"No journal entry has the number {seq}", seq=seq)


class Conflict(ServiceError):
    status, title, slug = 409, "Conflict", "conflict"


class PreconditionFailed(ServiceError):
    status, title, slug = 412, "Precondition failed", "precondition-failed"

    def __init__(self, target: str, current: str) -> None:
        super().__init__(
            f"{target} has changed: its current ETag is {current}; fetch it and try again", current_etag=current
        )


class InvalidObject(ServiceError):
    """A written object that breaks rules; ``errors`` lists each ``{field, message}``."""

    status, title, slug = 422, "Invalid object", "invalid-object"

    def __init__(self, errors: list[tuple[str, str]], where: str = "") -> None:
        detail = "; ".join(f"{where}{field}: {message}" for field, message in errors)
        super().__init__(
            detail,
            parameter=f"{where}{errors[0][0]}" if errors else None,
            errors=[{"field": f"{where}{field}", "message": message} for field, message in errors],
        )


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a dataset: where it is and why."""

    file: str
    entry: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: entry {self.entry}: field {self.field}: {self.message}"


class DataError(Exception):
    """A dataset folder that cannot be served; lists every problem, causes first, floods capped.

    Problems of a whole file (entry ``-``: unreadable, missing, cut) come first: they are usually
    the cause of the rest. Of the problems sharing a file and a field (a missing ``entities.csv``
    makes every row's ``source`` unknown), the first ``SHOWN`` are listed and the others counted.
    ``problems`` keeps them all.
    """

    SHOWN = 5

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        ordered = sorted(problems, key=lambda problem: problem.entry != "-")  # stable: file order kept
        groups: dict[tuple[str, str], int] = {}
        lines = []
        for problem in ordered:
            seen = groups[problem.file, problem.field] = groups.get((problem.file, problem.field), 0) + 1
            if seen <= self.SHOWN:
                lines.append(f"  - {problem}")
        for (file, field_), count in groups.items():
            if count > self.SHOWN:
                lines.append(f"  - ... and {count - self.SHOWN:,} more in {file}, field {field_}")
        listed = "\n".join(lines)
        super().__init__(f"{len(problems):,} problem(s) in the data:\n{listed}")
