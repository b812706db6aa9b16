from datetime import date, timedelta

import pytest

from domain.archive import Archive, parse_archive, route_archive
from domain.errors import Forbidden, InvalidInput
from domain.followup import FollowUpPolicy
from domain.overdue import (
    Priority,
    days_at_shop,
    days_overdue,
    eta_passed,
    is_overdue,
    priority,
)
from domain.roles import Actor, Role, parse_role
from domain.statuses import Status

TODAY = date(2026, 11, 20)


@pytest.mark.parametrize(
    ("status", "terms", "days"),
    [
        (Status.TO_SEND, None, 3),
        (Status.WAITING_QUOTE, None, 7),
        (Status.APPROVED, None, 10),
        (Status.IN_WORK, None, 10),
        (Status.SHIPPED, None, 5),
        (Status.RECEIVED, None, 3),
        (Status.PAID, "NET 30", 30),
        (Status.PAID, "net45", 45),
        (Status.PAID, "COD", None),
        (Status.PAID, "Prepaid", None),
        (Status.PAID, "CREDIT CARD", None),
        (Status.PAID, "WIRE TRANSFER", 3),
        (Status.PAID, "something odd", 30),
        (Status.PAID, None, 30),
        (Status.PAYMENT_SENT, None, None),
        (Status.BER, None, None),
        (Status.SCRAP, None, None),
    ],
)
def test_default_follow_up_offsets(status, terms, days):
    policy = FollowUpPolicy()
    assert policy.wait_days(status, terms) == days
    expected = None if days is None else TODAY + timedelta(days=days)
    assert policy.next_update(status, terms, TODAY) == expected


def test_follow_up_offsets_are_configurable_by_any_spelling():
    policy = FollowUpPolicy.with_overrides({"approved >>>>": 14, "BEING REPAIRED": 21, "RAI": 2})
    assert policy.wait_days(Status.APPROVED) == 14
    assert policy.wait_days(Status.IN_WORK) == 21
    assert policy.wait_days(Status.RAI) == 2
    assert policy.wait_days(Status.WAITING_QUOTE) == 7
    with pytest.raises(ValueError, match="between 0 and 365"):
        FollowUpPolicy.with_overrides({"APPROVED": 1000})


@pytest.mark.parametrize(
    ("status", "terms", "archive"),
    [
        (Status.RECEIVED, "NET 30", Archive.NET),
        (Status.COMPLETE, "net 60", Archive.NET),
        (Status.RECEIVED, "COD", Archive.PAID),
        (Status.COMPLETE, "CREDIT CARD", Archive.PAID),
        (Status.PAID, None, Archive.PAID),
        (Status.PAYMENT_SENT, "NET 30", Archive.PAID),
        (Status.BER, None, Archive.RETURNS),
        (Status.RAI, "NET 30", Archive.RETURNS),
        (Status.SCRAP, None, Archive.RETURNS),
        (Status.CANCELLED, None, Archive.RETURNS),
        (Status.IN_WORK, "NET 30", Archive.ACTIVE),
    ],
)
def test_archive_routing(status, terms, archive):
    route = route_archive(status, terms)
    assert route.archive is archive
    assert route.question is None


def test_archive_routing_asks_when_terms_are_missing():
    route = route_archive(Status.RECEIVED, "  ")
    assert route.archive is None
    assert "payment terms" in route.question


def test_archive_names():
    assert parse_archive("returned") is Archive.RETURNS
    assert parse_archive(" net ") is Archive.NET
    assert Archive.NET.sheet == "Net"
    with pytest.raises(InvalidInput, match="not an archive"):
        parse_archive("trash")


def test_overdue_is_about_the_next_update_date_not_the_eta():
    assert is_overdue(TODAY - timedelta(days=1), TODAY)
    assert not is_overdue(TODAY, TODAY)
    assert not is_overdue(None, TODAY)
    assert days_overdue(TODAY - timedelta(days=12), TODAY) == 12
    assert days_overdue(TODAY + timedelta(days=3), TODAY) == 0


@pytest.mark.parametrize(
    ("status", "eta_in", "late"),
    [
        (Status.IN_WORK, -1, True),
        (Status.SHIPPED, -5, True),
        (None, -5, True),  # a status we cannot read: say so rather than hide it
        (Status.IN_WORK, 0, False),  # due today is not late yet
        (Status.RECEIVED, -5, False),  # the unit is back
        (Status.CANCELLED, -5, False),
    ],
)
def test_eta_passed_is_the_shop_being_late(status, eta_in, late):
    assert eta_passed(status, TODAY + timedelta(days=eta_in), TODAY) is late
    assert eta_passed(status, None, TODAY) is False


@pytest.mark.parametrize(
    ("status", "status_age", "next_in", "eta_in", "expected"),
    [
        (Status.IN_WORK, 1, -1, 30, Priority.P1_OVERDUE),
        (Status.IN_WORK, 1, 5, -2, Priority.P1_OVERDUE),  # late ETA also puts it on top
        (Status.RECEIVED, 1, 2, -9, Priority.P4_ON_TRACK),  # ...unless the unit is back
        (Status.WAITING_QUOTE, 4, 5, 30, Priority.P2_ACTION_REQUIRED),
        (Status.WAITING_QUOTE, 3, 5, 30, Priority.P4_ON_TRACK),
        (Status.APPROVED, 10, 5, 30, Priority.P2_ACTION_REQUIRED),
        (Status.SHIPPED, 6, 2, 30, Priority.P2_ACTION_REQUIRED),
        (Status.SHIPPED, 5, 2, 30, Priority.P4_ON_TRACK),
        (Status.IN_WORK, 20, 5, 3, Priority.P3_ARRIVING_SOON),
        (Status.IN_WORK, 20, 5, 0, Priority.P3_ARRIVING_SOON),
        (Status.IN_WORK, 20, 5, 4, Priority.P4_ON_TRACK),
    ],
)
def test_priority_feed_rules(status, status_age, next_in, eta_in, expected):
    got = priority(
        status,
        TODAY - timedelta(days=status_age),
        TODAY + timedelta(days=next_in),
        TODAY + timedelta(days=eta_in),
        TODAY,
    )
    assert got is expected


def test_roles_are_ordered_and_enforced():
    assert parse_role(" Approver ") is Role.APPROVER
    with pytest.raises(InvalidInput, match="not a role"):
        parse_role("superuser")
    Actor("a@x.com", Role.ADMIN).require(Role.EDITOR, "edit")
    with pytest.raises(Forbidden, match="needs the editor role"):
        Actor("v@x.com", Role.VIEWER).require(Role.EDITOR, "change an RO")


@pytest.mark.parametrize(
    ("status", "dropped_days_ago", "days"),
    [
        (Status.WAITING_QUOTE, 12, 12),
        (Status.IN_WORK, 0, 0),
        (Status.ON_HOLD, 40, 40),
        (Status.TO_SEND, 3, None),  # not gone yet, whatever the date says
        (Status.SHIPPED, 30, None),  # on its way back
        (Status.RECEIVED, 30, None),
        (Status.SCRAP, 30, None),
        (Status.IN_WORK, None, None),  # no drop-off date recorded
        (Status.IN_WORK, -2, None),  # a drop-off date still to come is not time there
        (None, 5, None),  # a status the desk's list does not know
    ],
)
def test_days_at_the_shop_count_from_drop_off_while_the_unit_is_there(
    status, dropped_days_ago, days
):
    today = date(2026, 11, 20)
    dropped = None if dropped_days_ago is None else today - timedelta(days=dropped_days_ago)
    assert days_at_shop(status, dropped, today) == days
