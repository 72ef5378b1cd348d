"""The error tree: one stable code per class, every rejection reachable from broker.errors."""

from __future__ import annotations

import pytest

from broker.errors import (
    MareError,
    RejectedEvent,
    SiretInvalid,
    Violation,
    all_subclasses,
    errors_by_code,
    rejection_class,
)

pytestmark = pytest.mark.unit


def test_codes_are_unique() -> None:
    classes: list[type[MareError]] = [MareError, *all_subclasses(MareError)]

    assert len({cls.code for cls in classes}) == len(classes)


def test_codes_are_upper_snake_case() -> None:
    for code in errors_by_code():
        assert code.replace("_", "").isalpha(), code
        assert code.isupper(), code


def test_every_rejection_is_found_by_code() -> None:
    assert rejection_class("SIRET_INVALID") is SiretInvalid
    assert rejection_class("CLOUDEVENT_HEADERS_INVALID").__module__ == "broker.errors"
    assert rejection_class("NO_SUCH_CODE").code == "FIELD_INVALID"


def test_rejections_are_never_retriable() -> None:
    for cls in all_subclasses(RejectedEvent):
        assert cls.retriable is False


def test_a_rejection_exposes_its_failing_fields_in_order_without_duplicates() -> None:
    error = SiretInvalid(
        "bad",
        violations=[
            Violation("employer_id", "SIRET_INVALID", "m"),
            Violation("place.nuts2", "NUTS_MISMATCH", "m"),
            Violation("employer_id", "FIELD_INVALID", "m"),
        ],
    )

    assert error.field == "employer_id"
    assert error.fields == ["employer_id", "place.nuts2"]
