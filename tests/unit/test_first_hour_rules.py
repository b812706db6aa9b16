"""Pure rules behind issue #14's "answers that mislead": readable local times, who did it, and
the warning on a second email to a shop about the same RO."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from domain.local_time import iso_local, readable
from domain.notifications.rules import LastSent, ago, recent_email_warning
from domain.roles import shown_actor

NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2026, 12, 1, 22, 0, 0)  # naive UTC, as stored


def test_stored_utc_times_read_in_the_desk_time_zone():
    sent = datetime(2026, 12, 1, 21, 51, 31)
    assert readable(sent, NEW_YORK, NOW) == "Dec 1, 16:51 EST"
    assert readable(datetime(2026, 7, 4, 12, 0), NEW_YORK, NOW) == "Jul 4, 08:00 EDT"
    assert readable(datetime(2025, 12, 1, 21, 51), NEW_YORK, NOW) == "Dec 1 2025, 16:51 EST"
    assert readable(sent, ZoneInfo("UTC"), NOW) == "Dec 1, 21:51 UTC"
    assert readable(None, NEW_YORK) == "—"
    assert iso_local(sent, NEW_YORK) == "2026-12-01T16:51:31-05:00"


def test_a_cli_operator_reads_as_a_person_not_a_link():
    assert shown_actor("cli:root") == "root (gt command line)"
    assert shown_actor("ed@genthrust.test") == "ed@genthrust.test"
    assert shown_actor(None) == "someone"


def test_ago_says_the_largest_whole_unit():
    assert ago(timedelta(seconds=20)) == "just now"
    assert ago(timedelta(minutes=1, seconds=5)) == "1 minute ago"
    assert ago(timedelta(hours=5, minutes=59)) == "5 hours ago"
    assert ago(timedelta(days=2, hours=3)) == "2 days ago"


def test_a_second_email_within_the_window_is_warned_with_when():
    last = LastSent(NOW - timedelta(minutes=4), "Repair Status: RO# G38462", "38462")
    warning = recent_email_warning(last, NOW, 3, NEW_YORK)
    assert warning is not None
    assert "RO 38462 4 minutes ago (Dec 1, 16:56 EST)" in warning
    assert '"Repair Status: RO# G38462"' in warning


def test_no_warning_outside_the_window_without_a_sent_email_or_when_switched_off():
    old = LastSent(NOW - timedelta(days=3), "Follow-up", "38462")
    assert recent_email_warning(old, NOW, 3, NEW_YORK) is None  # exactly 3 days: outside
    assert recent_email_warning(old, NOW, 4, NEW_YORK) is not None
    assert recent_email_warning(None, NOW, 3, NEW_YORK) is None
    fresh = LastSent(NOW - timedelta(minutes=1), "Follow-up", "38462")
    assert recent_email_warning(fresh, NOW, 0, NEW_YORK) is None  # 0 days: switched off


# ---- which shop a person means (domain/shop_match.py) ----------------------------------------
SHOPS = ["Avtech Hydraulics", "Dallas Airmotive", "Aero Precision", "Aero-Tech Inc."]


def test_a_shop_is_matched_exact_normalised_prefix_contains_then_fuzzy():
    from domain.shop_match import match_shop

    def m(typed, names=SHOPS):
        found = match_shop(typed, names)
        return found.how, found.name

    assert m("avtech  hydraulics") == ("exact", "Avtech Hydraulics")
    assert m("AEROTECH INC") == ("normalised", "Aero-Tech Inc.")
    assert m("Avtech") == ("prefix", "Avtech Hydraulics")  # not a new shop called "Avtech"
    assert m("dallas air") == ("prefix", "Dallas Airmotive")
    assert m("airmotive") == ("prefix", "Dallas Airmotive")
    assert m("motive") == ("contains", "Dallas Airmotive")
    assert m("avtek hydraulics") == ("fuzzy", "Avtech Hydraulics")


def test_an_ambiguous_shop_lists_the_candidates_and_none_offers_close_names():
    from domain.shop_match import match_shop

    aero = match_shop("aero", SHOPS)
    assert (aero.how, aero.name, aero.candidates) == (
        "ambiguous", None, ["Aero Precision", "Aero-Tech Inc."])  # fmt: skip
    assert match_shop("Avtech", [*SHOPS, "Avtech Avionics"]).candidates == [
        "Avtech Avionics", "Avtech Hydraulics"]  # fmt: skip
    nothing = match_shop("Zenith Aerospace", SHOPS)
    assert (nothing.how, nothing.name) == ("none", None)
    assert match_shop("", SHOPS).how == "none"
    assert match_shop("anything", []).how == "none"
