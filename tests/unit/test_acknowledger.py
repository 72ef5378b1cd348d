"""The acknowledger core: relays to the sender, art. 17 deadlines in event time."""

from __future__ import annotations

from datetime import timedelta

import pytest

from agents.acknowledger import (
    DeliveryNotice,
    SubjectRecord,
    breaches,
    on_agency_ack,
    on_delivery_notice,
    subject_key,
)
from broker.errors import SubjectUnknown
from broker.models import DeadlineKind
from broker.topology import Topology
from tests.factories import NOW, an_ack

pytestmark = pytest.mark.unit

OFFER_EVENT = an_ack().acknowledged_event_id


def delivered_to(*regions: str) -> DeliveryNotice:
    return DeliveryNotice(
        kind="OFFER",
        subject_id="paca-offer-000001",
        origin_region="paca",
        original_event_id=OFFER_EVENT,
        published_at=NOW,
        destinations=regions,
        occurred_at=NOW,
    )


def agency(
    status: str, region: str = "toscana", at: timedelta = timedelta(hours=1), **extra: object
) -> object:
    return an_ack(
        source_region=region,
        source_agency=f"agency-{region}",
        status=status,
        region=region,
        acknowledged_event_id=OFFER_EVENT,
        occurred_at=NOW + at,
        **extra,
    )


def offer_delivered_to(*regions: str) -> SubjectRecord:
    return on_delivery_notice(None, delivered_to(*regions))


def test_a_delivered_offer_starts_both_deadlines_from_its_publication() -> None:
    record = offer_delivered_to("toscana")

    clock = record.destinations["toscana"]
    assert clock.contact_due == NOW + timedelta(hours=48)
    assert clock.solution_due == NOW + timedelta(days=10)
    assert record.origin_region == "paca"


def test_no_breach_before_the_deadline_passes() -> None:
    record = offer_delivered_to("toscana")

    _, found = breaches(record, NOW + timedelta(hours=48))

    assert found == []


def test_an_uncontacted_employer_breaches_the_48_hour_deadline_once() -> None:
    record = offer_delivered_to("toscana", "liguria")

    record, first = breaches(record, NOW + timedelta(hours=49))
    _, again = breaches(record, NOW + timedelta(hours=50))

    assert sorted((b.destination_region, b.deadline_kind) for b in first) == [
        ("liguria", DeadlineKind.EMPLOYER_CONTACT_48H),
        ("toscana", DeadlineKind.EMPLOYER_CONTACT_48H),
    ]
    assert again == []
    assert {b.source_region for b in first} == {"paca"}


def test_a_timely_contact_meets_the_first_deadline_but_not_the_second() -> None:
    record, _ = on_agency_ack(offer_delivered_to("toscana"), agency("EMPLOYER_CONTACTED"))

    _, found = breaches(record, NOW + timedelta(days=11))

    assert [b.deadline_kind for b in found] == [DeadlineKind.SOLUTION_10D]


def test_a_late_contact_does_not_meet_the_deadline() -> None:
    late = agency("EMPLOYER_CONTACTED", at=timedelta(hours=50))
    record, _ = on_agency_ack(offer_delivered_to("toscana"), late)

    _, found = breaches(record, NOW + timedelta(hours=51))

    assert [b.deadline_kind for b in found] == [DeadlineKind.EMPLOYER_CONTACT_48H]


def test_an_extension_for_a_hard_to_fill_offer_moves_the_solution_deadline() -> None:
    record, _ = on_agency_ack(offer_delivered_to("toscana"), agency("EMPLOYER_CONTACTED"))
    extension = agency(
        "DEADLINE_EXTENDED",
        deadline=NOW + timedelta(days=10),
        deadline_kind="SOLUTION_10D",
        extended_until=NOW + timedelta(days=30),
    )
    record, _ = on_agency_ack(record, extension)

    _, at_eleven_days = breaches(record, NOW + timedelta(days=11))
    _, at_thirty_one = breaches(record, NOW + timedelta(days=31))

    assert at_eleven_days == []
    assert [b.deadline for b in at_thirty_one] == [NOW + timedelta(days=30)]


def test_an_agency_acknowledgement_is_relayed_to_the_offer_region() -> None:
    contacted = agency("EMPLOYER_CONTACTED")

    _, relayed = on_agency_ack(offer_delivered_to("toscana"), contacted)

    assert relayed == [contacted]


def test_a_filled_offer_at_home_closes_every_destination_without_relay() -> None:
    filled = agency("FILLED", region="paca")

    record, relayed = on_agency_ack(offer_delivered_to("toscana", "corse"), filled)

    assert relayed == []
    assert breaches(record, NOW + timedelta(days=40))[1] == []


def test_an_acknowledgement_for_an_unknown_subject_is_rejected() -> None:
    with pytest.raises(SubjectUnknown):
        on_agency_ack(None, agency("EMPLOYER_CONTACTED"))


def test_an_acknowledgement_from_a_region_that_never_received_the_offer_is_rejected() -> None:
    with pytest.raises(SubjectUnknown) as rejected:
        on_agency_ack(offer_delivered_to("toscana"), agency("EMPLOYER_CONTACTED", region="corse"))

    assert rejected.value.field == "source_region"


def test_breach_ids_are_the_same_on_every_replay() -> None:
    first = breaches(offer_delivered_to("toscana"), NOW + timedelta(hours=49))[1]
    second = breaches(offer_delivered_to("toscana"), NOW + timedelta(hours=60))[1]

    assert [b.event_id for b in first] == [b.event_id for b in second]


def test_an_unknown_subject_is_answered_in_the_agencys_language() -> None:
    from agents.acknowledger import rejected_acknowledgement

    ack = agency("EMPLOYER_CONTACTED", region="liguria")
    error = SubjectUnknown("never delivered", field="subject_id")

    told = rejected_acknowledgement(ack, error, "mare.internal.sla", 0, 7, NOW)

    assert told.status == "REJECTED"
    assert told.reason_code == "SUBJECT_UNKNOWN"
    assert told.region == "liguria"
    assert told.reason != error.reason  # Italian, not the English text


def test_a_replayed_delivery_notice_keeps_the_clocks_already_running() -> None:
    record = offer_delivered_to("toscana")
    contacted, _ = on_agency_ack(record, agency("EMPLOYER_CONTACTED"))

    again = on_delivery_notice(contacted, delivered_to("toscana"))

    assert again == contacted


def test_a_referral_is_remembered_without_deadlines() -> None:
    notice = DeliveryNotice(
        kind="REFERRAL",
        subject_id="liguria-ref-1",
        origin_region="liguria",
        original_event_id=OFFER_EVENT,
        published_at=NOW,
        destinations=("corse",),
        occurred_at=NOW,
    )

    record = on_delivery_notice(None, notice)

    assert record.destinations["corse"].next_deadline() is None
    assert breaches(record, NOW + timedelta(days=30))[1] == []


def test_a_subjects_state_lands_in_the_partition_of_its_notices() -> None:
    """The loop restores only the state partitions of its assigned input partitions: the
    state topic must be partitioned as the input topic, and keyed alike."""
    topology = Topology()
    notice = delivered_to("corse")

    record = on_delivery_notice(None, notice)

    assert topology.sla_state.partitions == topology.sla_input.partitions
    assert record.key == subject_key(notice.kind, notice.subject_id)
