"""Email templates, subjects, merge subjects, the HTML sanitizer and the message we send."""

from datetime import date

import pytest

from config import load_settings
from domain.email_html import html_to_text, sanitize_html
from domain.email_templates import RoFacts, follow_up, merged, merged_subject, subject_for
from domain.errors import InvalidInput, InvalidText
from domain.notifications.rules import parse_cc
from domain.notifications.views import Claim
from domain.statuses import Status
from integrations.mail.message import build_message, full_subject


@pytest.mark.parametrize(
    ("status", "subject", "asks"),
    [
        (Status.WAITING_QUOTE, "Follow-up: RO# G38462", "quote"),
        (Status.APPROVED, "Repair Status: RO# G38462", "estimated completion date"),
        (Status.IN_WORK, "Repair Status: RO# G38462", "progress"),
        (Status.SHIPPED, "Tracking: RO# G38462", "tracking number"),
        (Status.RECEIVED, "Status Update: RO# G38462", "update on its status"),
    ],
)
def test_template_per_status(status, subject, asks):
    ro = RoFacts("38462", status, date(2026, 11, 1), "066-50008", "PUMP", "SN1")
    draft = follow_up(ro, "Dana")
    assert draft.subject == subject and asks in draft.body_html
    assert "Hello Dana" in draft.body_html and "066-50008" in draft.body_html


def test_erp_numbers_keep_their_own_form_and_values_are_escaped():
    ro = RoFacts("RO171", Status.IN_WORK, part_description="<b>PUMP</b> & CO")
    draft = follow_up(ro)
    assert subject_for(ro) == "Repair Status: RO# RO171"
    assert "&lt;b&gt;PUMP&lt;/b&gt; &amp; CO" in draft.body_html


def test_merge_subjects_follow_the_old_rules():
    assert merged_subject(["38462"], "Avtech") == "Status Update for RO #G38462"
    assert merged_subject(["1", "2"], "Avtech") == "Status Update: RO #G1, #G2"
    assert merged_subject(["1", "2", "3"], "Avtech") == "Status Update: RO #G1, #G2, #G3"
    assert merged_subject(["1", "2", "3", "4"], "Avtech") == (
        "Status Update: Multiple Orders (Avtech)"
    )
    body = merged([RoFacts("1", None, part_number="P1", serial_number="S1")], "Avtech").body_html
    assert "<th>RO #</th><th>Part</th><th>Serial</th>" in body
    assert "<td>G1</td><td>P1</td><td>S1</td>" in body


@pytest.mark.parametrize(
    "evil",
    [
        "<script>alert(1)</script>",
        "<style>p{display:none}</style>",
        '<img src=x onerror="alert(1)">',
        '<a href="javascript:alert(1)">click</a>',
        '<p onclick="steal()">x</p>',
        '<iframe src="https://evil.example"></iframe>',
    ],
)
def test_sanitizer_strips_script_handlers_and_javascript_urls(evil):
    clean = sanitize_html(f"<p>Hello</p>{evil}")
    lowered = clean.lower()
    for bad in ("<script", "alert(", "<style", "onerror", "onclick", "javascript:", "<iframe"):
        assert bad not in lowered
    assert clean.startswith("<p>Hello</p>")


def test_sanitizer_keeps_simple_markup_and_turns_text_into_paragraphs():
    assert sanitize_html('<p>Hi <a href="https://x.example">x</a></p>') == (
        '<p>Hi <a href="https://x.example" rel="noopener noreferrer">x</a></p>'
    )
    assert sanitize_html("Line one\nline two\n\nNext & last") == (
        "<p>Line one<br>line two</p><p>Next &amp; last</p>"
    )
    with pytest.raises(InvalidText):
        sanitize_html("   ")
    assert (
        html_to_text("<p>a<br>b</p><table><tr><td>1</td><td>2</td></tr></table>") == "a\nb\n\n1 | 2"
    )


def test_cc_lists():
    assert parse_cc("A@x.example; b@y.example, a@x.example") == ["a@x.example", "b@y.example"]
    assert parse_cc("") == []
    with pytest.raises(InvalidInput):
        parse_cc("not-an-address")


def test_the_message_has_our_prefix_sender_and_a_stable_id(tmp_path):
    settings = load_settings(var_dir=tmp_path, mail_from="repairs@genthrust.example")
    claim = Claim("abc-123", "owner", "shop@x.example", ["cc@x.example"], "Follow-up: RO# G1",
                  "<p>Hi</p>", None, None, "ap@x", ["1"])  # fmt: skip
    msg = build_message(claim, settings)
    assert msg["Subject"] == "[GenThrust Follow-Up] Follow-up: RO# G1"
    assert msg["Message-ID"] == "<abc-123@genthrust.example>"
    assert msg["From"] == "GenThrust Repairs <repairs@genthrust.example>"
    assert (msg["To"], msg["Cc"]) == ("shop@x.example", "cc@x.example")
    assert full_subject("[GenThrust Follow-Up] x", "[GenThrust Follow-Up] ") == (
        "[GenThrust Follow-Up] x"
    )
