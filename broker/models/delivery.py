"""What the network writes to a destination region's outbound topic.

A delivery carries the original event unchanged (free text verbatim, with its language tag)
plus a ``localization`` for the destination: each coded field (occupation, contract, sector …)
with its value and label in the destination's classification and language, and how exact the
correspondence is. Nothing is machine-translated behind the reader's back.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar, Self, TypeVar

from pydantic import Field, model_validator

from broker.ids import delivery_id
from broker.models.common import (
    DomainModel,
    Event,
    LongText,
    Note,
    RegionKey,
    WorkingLanguage,
    region_info,
    rule_error,
)
from broker.models.mobility import MobilityRequest
from broker.models.offer import JobOffer
from broker.models.referral import CandidateReferral


class TranslationQuality(StrEnum):
    """How faithful a localized value is: EXACT (an official one-to-one correspondence),
    APPROXIMATE (broad, narrow or close match; read with care), NOT_FOUND (no correspondence:
    the source value stands alone)."""

    EXACT = "EXACT"
    APPROXIMATE = "APPROXIMATE"
    NOT_FOUND = "NOT_FOUND"


class TranslatedField(DomainModel):
    """One field of the original event, expressed for the destination region."""

    field: str = Field(
        pattern=r"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*|\[[0-9]+\])*$",
        description="Path of the field in the original event, e.g. 'occupation.rome_code' or "
        "'required_languages[0].language'.",
    )
    source_value: LongText = Field(description="The original value, verbatim.")
    value: LongText | None = Field(
        default=None,
        description="Corresponding value in the destination's classification, e.g. a CP code "
        "for a ROME code; null when NOT_FOUND.",
    )
    label: LongText | None = Field(
        default=None, description="Human-readable label of value, in the destination language."
    )
    quality: TranslationQuality = Field(description="How faithful the correspondence is.")
    note: Note | None = Field(
        default=None, description="Caveat for the reader, e.g. 'CP2011 code, not CP2021'."
    )


class Delivery(Event):
    """Common part of every delivery. Its event_id is derived: ``uuid5(original event_id,
    destination_region)`` (broker.ids.delivery_id), so replays deliver the same id and the
    destination dedupes.

    Rules: the event_id is the derived one (EVENT_ID_NOT_DERIVED); the language is the
    destination region's working language (LANGUAGE_MISMATCH).
    """

    original_field: ClassVar[str]

    destination_region: RegionKey = Field(description="Region the event is delivered to.")
    language: WorkingLanguage = Field(
        description="Working language of the destination region; labels are in it."
    )
    localization: list[TranslatedField] = Field(
        default_factory=list,
        max_length=200,
        description="Coded fields of the original, expressed for the destination.",
    )

    @property
    def original(self) -> Event:
        original: Event = getattr(self, self.original_field)
        return original

    @classmethod
    def for_destination(
        cls,
        original: Event,
        *,
        destination_region: str,
        localization: list[TranslatedField],
        occurred_at: datetime,
        source_agency: str = "mare-broker",
        checked: bool = True,
    ) -> Self:
        """The delivery of ``original`` to a region, with its derived id and the region's
        language; the original's event_id becomes the correlation_id.

        ``checked=False`` skips re-validating what is built here from a validated original
        and validated localization (the pipeline's hot path; its tests re-validate outputs).
        """
        build = cls.model_validate if checked else _construct(cls)
        return build(
            {
                "event_id": delivery_id(original.event_id, destination_region),
                "occurred_at": occurred_at,
                "source_region": original.source_region,
                "source_agency": source_agency,
                "correlation_id": original.event_id,
                "destination_region": destination_region,
                "language": _language_of(destination_region),
                "localization": localization,
                cls.original_field: original,
            }
        )

    @model_validator(mode="after")
    def _derived_and_localized(self) -> Self:
        expected = delivery_id(self.original.event_id, self.destination_region)
        if self.event_id != expected:
            raise rule_error(
                "EVENT_ID_NOT_DERIVED",
                "the event_id of a delivery is uuid5(original event_id, destination_region) = "
                "{expected}",
                field="event_id",
                expected=str(expected),
            )
        language = region_info(self.destination_region).language
        if self.language != language:
            raise rule_error(
                "LANGUAGE_MISMATCH",
                "a delivery to {region} is in {expected}, not {language}",
                field="language",
                region=self.destination_region,
                expected=language,
                language=self.language,
            )
        return self


def _language_of(region: str) -> str:
    """The region's working language; empty for an unknown region, which validation refuses."""
    try:
        return region_info(region).language
    except KeyError:
        return ""


class OfferDelivery(Delivery):
    """A job offer delivered to a destination region."""

    original_field: ClassVar[str] = "offer"

    offer: JobOffer = Field(description="The offer as published, unchanged.")


class ReferralDelivery(Delivery):
    """A candidate referral delivered to a destination region, consent checked on ingest."""

    original_field: ClassVar[str] = "referral"

    referral: CandidateReferral = Field(description="The referral as published, unchanged.")


class MobilityRequestDelivery(Delivery):
    """A mobility request delivered to its destination region."""

    original_field: ClassVar[str] = "request"

    request: MobilityRequest = Field(description="The request as published, unchanged.")


_D = TypeVar("_D", bound=Delivery)


def _construct(cls: type[_D]) -> Callable[[dict[str, Any]], _D]:
    def build(fields: dict[str, Any]) -> _D:
        return cls.from_trusted(**fields)

    return build
