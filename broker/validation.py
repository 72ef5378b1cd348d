"""From pydantic's ValidationError to one RejectedEvent with every failing field and its code.

The models raise business rules as ``PydanticCustomError`` whose type is the rejection code in
snake_case (``siret_invalid``); pydantic's own checks map to the generic codes below. The
first failing field decides the rejection's class and ``code``; all of them are kept in
``violations`` so a sender fixes everything in one round trip.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from pydantic import ValidationError

from broker.errors import FieldInvalid, RejectedEvent, TextEmpty, Violation, errors_by_code
from broker.models.common import NOT_BLANK

BUILTIN_CODES: dict[str, str] = {
    "missing": "FIELD_MISSING",
    "too_short": "FIELD_MISSING",
    "string_too_long": "TEXT_TOO_LONG",
    "string_too_short": "TEXT_EMPTY",
}
"""pydantic's own error types with a specific code; every other one is FIELD_INVALID."""


@cache
def _rejection_classes() -> dict[str, type[RejectedEvent]]:
    return {code: cls for code, cls in errors_by_code().items() if issubclass(cls, RejectedEvent)}


def code_of(error_type: str, ctx: Mapping[str, Any] | None = None) -> str:
    """The rejection code of a pydantic error type (ours are the code in lower case)."""
    upper = error_type.upper()
    if upper in _rejection_classes():
        return upper
    if error_type == "string_pattern_mismatch" and (ctx or {}).get("pattern") == NOT_BLANK:
        return TextEmpty.code
    return BUILTIN_CODES.get(error_type, FieldInvalid.code)


def field_path(loc: Sequence[int | str], extra: str | None = None) -> str:
    """``("required_languages", 0, "level")`` → ``required_languages[0].level``."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else part
    if extra:
        path = f"{path}.{extra}" if path else extra
    return path or "(event)"


def violations_of(exc: ValidationError) -> list[Violation]:
    """Every failing field of a ValidationError as (field, code, message), in pydantic's order."""
    found: list[Violation] = []
    for error in exc.errors(include_url=False, include_input=False):
        ctx: dict[str, Any] = error.get("ctx") or {}
        extra = ctx.get("field")
        found.append(
            Violation(
                field=field_path(error["loc"], extra if isinstance(extra, str) else None),
                code=code_of(error["type"], ctx),
                message=error["msg"],
            )
        )
    return found


def rejection_from(
    exc: ValidationError, *, event_type: str | None = None, source_region: str | None = None
) -> RejectedEvent:
    """One RejectedEvent for a ValidationError: the first violation's class, all violations."""
    violations = violations_of(exc)
    first = violations[0] if violations else Violation("(event)", FieldInvalid.code, str(exc))
    cls = _rejection_classes().get(first.code, FieldInvalid)
    reason = "; ".join(f"{v.field}: {v.message} [{v.code}]" for v in violations)
    return cls(
        reason,
        violations=violations,
        source_region=source_region,
        event_type=event_type,
    )
