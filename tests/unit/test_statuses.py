import pytest

from domain.errors import InvalidStatus, InvalidTransition
from domain.statuses import Status, allowed_next, check_transition, parse_status


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("APPROVED >>>>", Status.APPROVED),
        ("approved", Status.APPROVED),
        ("  Paid >>>> ", Status.PAID),
        ("BEING REPAIRED", Status.IN_WORK),
        ("IN PROGRESS", Status.IN_WORK),
        ("CURRENTLY BEING SHIPPED", Status.SHIPPED),
        ("IN TRANSIT", Status.SHIPPED),
        ("SHIPPING", Status.SHIPPED),
        ("WAITING FOR QUOTE", Status.WAITING_QUOTE),
        ("AWAITING QUOTE", Status.WAITING_QUOTE),
        ("PENDING", Status.WAITING_QUOTE),
        ("waiting_quote", Status.WAITING_QUOTE),
        ("SCRAPPED", Status.SCRAP),
        ("CANCELED", Status.CANCELLED),
        ("TO SEND", Status.TO_SEND),
        ("PAYMENT SENT", Status.PAYMENT_SENT),
        ("R.A.I.", Status.RAI),
        ("HOLD", Status.ON_HOLD),
    ],
)
def test_every_legacy_spelling_maps_to_one_status(text, expected):
    assert parse_status(text) is expected


def test_unknown_status_is_refused_with_a_hint():
    with pytest.raises(InvalidStatus, match='Did you mean "APPROVED"'):
        parse_status("APROVED")
    with pytest.raises(InvalidStatus, match="Known statuses"):
        parse_status("DROP TABLE")
    with pytest.raises(InvalidStatus, match="required"):
        parse_status("  >>>> ")


def test_lifecycle_moves_forward_and_may_skip_steps():
    check_transition(Status.WAITING_QUOTE, Status.APPROVED)
    check_transition(Status.WAITING_QUOTE, Status.IN_WORK)
    check_transition(Status.SHIPPED, Status.RECEIVED)
    check_transition(Status.RECEIVED, Status.PAID)


def test_backward_moves_and_same_status_are_refused():
    with pytest.raises(InvalidTransition, match="cannot move to WAITING QUOTE"):
        check_transition(Status.SHIPPED, Status.WAITING_QUOTE)
    with pytest.raises(InvalidTransition, match="already APPROVED"):
        check_transition(Status.APPROVED, Status.APPROVED)


def test_terminal_statuses_are_final():
    for final in (Status.BER, Status.RAI, Status.CANCELLED, Status.SCRAP, Status.PAYMENT_SENT):
        assert allowed_next(final) == frozenset()
        with pytest.raises(InvalidTransition, match="final"):
            check_transition(final, Status.APPROVED)


def test_early_exits_and_hold():
    assert Status.BER in allowed_next(Status.IN_WORK)
    assert Status.CANCELLED in allowed_next(Status.WAITING_QUOTE)
    assert Status.CANCELLED not in allowed_next(Status.PAID)
    assert Status.ON_HOLD in allowed_next(Status.APPROVED)
    assert Status.IN_WORK in allowed_next(Status.ON_HOLD)
    assert Status.ON_HOLD not in allowed_next(Status.ON_HOLD)


def test_an_ro_without_status_can_take_any():
    assert allowed_next(None) == frozenset(Status)
