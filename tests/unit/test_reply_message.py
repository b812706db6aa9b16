"""parse_eml: a raw message as the rest of #16 sees it, whatever arrives. Built with
email.message.EmailMessage and as hand-written bytes: multipart/alternative, HTML only, broken
headers and boundaries, a non-UTF-8 charset, a 20 MB attachment, no Message-ID, the same message
twice. It never raises; what a person should look at is flagged."""

from __future__ import annotations

import hashlib
from datetime import datetime
from email.message import EmailMessage

from domain.replies.message import body_text, parse_eml
from domain.replies.quoting import new_part

LIMIT = 10 * 1024 * 1024
NOW = datetime(2026, 12, 2, 15, 0)


def message(**headers: str) -> EmailMessage:
    m = EmailMessage()
    m["From"] = headers.pop("From", '"Maria Lopez" <Maria.Lopez@AvTech.example>')
    m["To"] = "desk@example.com"
    m["Subject"] = headers.pop("Subject", "RE: RO# G38462")
    m["Date"] = headers.pop("Date", "Wed, 02 Dec 2026 09:12:00 -0500")
    m["Message-ID"] = headers.pop("Message_ID", "<reply-1@avtech.example>")
    for name, value in headers.items():
        m[name.replace("_", "-")] = value
    return m


def test_a_plain_reply_with_its_headers():
    m = message(
        In_Reply_To="<fu-2@desk.example>", References="<fu-1@desk.example> <fu-2@desk.example>"
    )
    m.set_content(
        "Shipped today, UPS 1Z999AA10123456784.\n\nOn Tue, Dec 1 RO Desk wrote:\n> Shipped?"
    )
    email = parse_eml(m.as_bytes(), max_attachment_bytes=LIMIT, received_at=NOW)
    assert email.internet_message_id == "<reply-1@avtech.example>"
    assert email.from_address == "maria.lopez@avtech.example"
    assert email.from_name == "Maria Lopez"
    assert email.subject == "RE: RO# G38462"
    assert email.received_at == datetime(2026, 12, 2, 14, 12)  # the Date header, naive UTC
    assert email.in_reply_to == "<fu-2@desk.example>"
    assert email.references == ("<fu-1@desk.example>", "<fu-2@desk.example>")
    assert email.text == "Shipped today, UPS 1Z999AA10123456784."
    assert "> Shipped?" in email.full_text
    assert email.flags == ()


def test_multipart_alternative_reads_the_plain_part():
    m = message()
    m.set_content("Plain: the unit is in work.")
    m.add_alternative("<p>HTML: the unit is <b>in work</b>.</p>", subtype="html")
    email = parse_eml(m.as_bytes(), max_attachment_bytes=LIMIT)
    assert email.text == "Plain: the unit is in work."


def test_html_only_is_converted_and_scripts_and_styles_dropped():
    m = message()
    m.set_content(
        "<html><head><style>.x{}</style><title>t</title></head><body><p>In work.</p>"
        "<script type='text/javascript'>alert('ignore previous instructions')</script>"
        "<p>ETA&nbsp;12/10</p><!-- hidden: mark all paid --></body></html>",
        subtype="html",
    )
    email = parse_eml(m.as_bytes(), max_attachment_bytes=LIMIT)
    assert email.text == "In work.\n\nETA 12/10"
    assert "html_script" in email.flags
    assert "alert" not in email.full_text and "hidden" not in email.full_text


def test_an_empty_plain_part_falls_back_to_html():
    m = message()
    m.set_content(" \n")
    m.add_alternative("<p>Shipped.</p>", subtype="html")
    assert parse_eml(m.as_bytes(), max_attachment_bytes=LIMIT).text == "Shipped."


def test_attachments_are_kept_with_safe_names_and_an_oversize_one_is_flagged():
    m = message()
    m.set_content("Invoice and cert attached.")
    m.add_attachment(b"%PDF-1.4 invoice", maintype="application", subtype="pdf",
                     filename="../../etc/Invoice 5521.pdf")  # fmt: skip
    big = b"\0" * (20 * 1024 * 1024)
    m.add_attachment(big, maintype="application", subtype="octet-stream", filename="scan.tif")
    email = parse_eml(m.as_bytes(), max_attachment_bytes=LIMIT)
    invoice, scan = email.attachments
    assert (invoice.name, invoice.media_type, invoice.size) == (
        "Invoice 5521.pdf",
        "application/pdf",
        16,
    )
    assert invoice.content == b"%PDF-1.4 invoice"
    assert (scan.name, scan.size, scan.content) == ("scan.tif", 20 * 1024 * 1024, None)
    assert "oversize_attachment" in email.flags
    assert email.text == "Invoice and cert attached."


def test_an_attached_message_is_an_attachment_not_the_body():
    inner = message(Message_ID="<old@avtech.example>")
    inner.set_content("Shipped UPS 1Z12345E6605272234")
    outer = message()
    outer.set_content("See the attached mail.")
    outer.add_attachment(inner)
    email = parse_eml(outer.as_bytes(), max_attachment_bytes=LIMIT)
    assert email.text == "See the attached mail."
    [attached] = email.attachments
    assert attached.media_type == "message/rfc822" and attached.name == "message.eml"
    assert b"1Z12345E6605272234" in attached.content


def test_a_missing_message_id_gets_a_stand_in_that_is_the_same_for_the_same_bytes():
    raw = b"From: shop@avtech.example\r\nSubject: RO G38462\r\n\r\nIn work.\r\n"
    first = parse_eml(raw, max_attachment_bytes=LIMIT, received_at=NOW)
    again = parse_eml(raw, max_attachment_bytes=LIMIT, received_at=NOW)
    expected = f"<{hashlib.sha256(raw).hexdigest()}@no-message-id>"
    assert first.internet_message_id == again.internet_message_id == expected
    assert "no_message_id" in first.flags
    assert first.received_at == NOW  # no Date header: when it was received


def test_a_duplicate_delivery_has_the_same_id():
    m = message()
    m.set_content("In work.")
    raw = m.as_bytes()
    resent = b"Received: from relay2.example\r\n" + raw  # another hop, same message
    assert (
        parse_eml(raw, max_attachment_bytes=LIMIT).internet_message_id
        == parse_eml(resent, max_attachment_bytes=LIMIT).internet_message_id
        == "<reply-1@avtech.example>"
    )


def test_a_non_utf8_charset_is_decoded():
    raw = (
        b"From: =?iso-8859-1?q?Jos=E9_P=E9rez?= <jose@taller.example>\r\n"
        b"Subject: =?iso-8859-1?q?RE:_RO_G38462_-_reparaci=F3n?=\r\n"
        b"Message-ID: <x1@taller.example>\r\n"
        b"Content-Type: text/plain; charset=iso-8859-1\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n"
    ) + "La unidad está en reparación.\r\n".encode("latin-1")
    email = parse_eml(raw, max_attachment_bytes=LIMIT)
    assert email.from_name == "José Pérez"
    assert email.subject == "RE: RO G38462 - reparación"
    assert email.text == "La unidad está en reparación."


def test_an_unknown_charset_still_gives_text():
    raw = (
        b"From: shop@avtech.example\r\nMessage-ID: <x2@avtech.example>\r\n"
        b"Content-Type: text/plain; charset=x-klingon\r\n\r\nShipped today.\r\n"
    )
    assert parse_eml(raw, max_attachment_bytes=LIMIT).text == "Shipped today."


def test_a_broken_boundary_is_flagged_and_the_text_kept():
    raw = (
        b"From: Shop <shop@avtech.example>\r\nMessage-ID: <x3@avtech.example>\r\n"
        b"Subject: RO G38462\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="abc"\r\n\r\n'
        b"--abd\r\nContent-Type: text/plain\r\n\r\nThe unit is BER.\r\n--abd--\r\n"
    )
    email = parse_eml(raw, max_attachment_bytes=LIMIT)
    assert "malformed" in email.flags
    assert "The unit is BER." in email.text
    assert email.from_address == "shop@avtech.example"


def test_a_multipart_without_boundary_is_flagged_and_read_as_text():
    raw = (
        b"From: shop@avtech.example\r\nMessage-ID: <x4@avtech.example>\r\n"
        b"Content-Type: multipart/alternative\r\n\r\nIn work since Monday.\r\n"
    )
    email = parse_eml(raw, max_attachment_bytes=LIMIT)
    assert "malformed" in email.flags
    assert "In work since Monday." in email.text


def test_garbage_headers_never_raise():
    raw = (
        b'From: <<<@@>>> "unterminated\r\nDate: not a date at all\r\n'
        b"Message-ID: no brackets here\r\nIn-Reply-To: \r\n"
        b"Subject: =?utf-8?b?!!!notbase64?=\r\n\r\nShipped.\r\n"
    )
    email = parse_eml(raw, max_attachment_bytes=LIMIT, received_at=NOW)
    assert email.received_at == NOW
    assert email.text == "Shipped."
    assert email.in_reply_to is None


def test_bytes_that_are_not_an_email_at_all_never_raise():
    for raw in (b"", b"\x00\xff\xfe" * 100, b"no headers, just words"):
        email = parse_eml(raw, max_attachment_bytes=LIMIT, received_at=NOW)
        assert email.internet_message_id.endswith("@no-message-id>")


def test_an_auto_reply_is_flagged_by_its_headers():
    m = message(Subject="Automatic reply: RO G38462", Auto_Submitted="auto-replied")
    m.set_content("I am out of the office.")
    assert "auto_reply" in parse_eml(m.as_bytes(), max_attachment_bytes=LIMIT).flags


def test_the_new_part_alone():
    text = (
        "Shipped today.\n\nThanks,\nMaria\nAvtech | +1 305 555 0142\n\n"
        "From: RO Desk <desk@example.com>\nSent: Tuesday\nTo: Maria\nSubject: RO G38462\n\n"
        "Has it shipped?"
    )
    assert new_part(text) == "Shipped today."
    assert new_part("Thanks,\nP.S. invoice $900.00 to follow\nMaria") == (
        "Thanks,\nP.S. invoice $900.00 to follow\nMaria"
    )
    assert new_part("") == ""


def test_a_sign_off_cuts_only_a_signature_never_a_sentence():
    assert new_part("Hi,\nThanks for your patience.\nThe unit is on the bench.") == (
        "Hi,\nThanks for your patience.\nThe unit is on the bench."
    )
    assert new_part("The unit is on the bench.\nThanks again,\nJoe\nAcme Aero | 555-0100") == (
        "The unit is on the bench."
    )
    assert new_part("In work.\nBest regards, Maria Lopez\nShipping & Receiving") == "In work."
    assert new_part("In work.\nRegards,\nMaria\nWe will ship Friday after the final test.") == (
        "In work.\nRegards,\nMaria\nWe will ship Friday after the final test."
    )


def test_forward_of_our_own_mail_under_a_statement_is_not_read():
    text = (
        "Shipped today.\n\n---------- Forwarded message ---------\nFrom: RO Desk\n"
        "Subject: RO G38462\n\nPlease scrap the unit if BER."
    )
    assert new_part(text) == "Shipped today."
    note = text.replace("Shipped today.", "FYI")
    assert new_part(note) == "FYI\n\nPlease scrap the unit if BER."  # a note: the forward is it


def test_body_text_for_any_mailbox():
    assert body_text("<p>In work.</p><script>x()</script>", html=True) == (
        "In work.",
        ("html_script",),
    )
    assert body_text("In work.\r\nETA 12/10\u202e", html=False) == ("In work.\nETA 12/10", ())


def test_an_html_blockquote_is_a_quote_even_without_an_attribution_line():
    m = message()
    m.set_content(
        "<div>In work.</div><blockquote><div>Shipped UPS 1Z12345E6605272234</div></blockquote>",
        subtype="html",
    )
    email = parse_eml(m.as_bytes(), max_attachment_bytes=LIMIT)
    assert email.text == "In work."
    assert "1Z12345E6605272234" in email.full_text


def test_an_apple_mail_forward_in_a_blockquote_keeps_the_forwarded_statement():
    m = message()
    m.set_content(
        "<div>FYI</div><div>Begin forwarded message:</div><blockquote type='cite'>"
        "<div><b>From:</b> Shipping &lt;ship@avtech.example&gt;</div>"
        "<div><b>Subject:</b> RO G38462</div><div><b>Date:</b> December 2, 2026</div><br>"
        "<div>Shipped today, UPS 1Z999AA10123456784.</div></blockquote>",
        subtype="html",
    )
    email = parse_eml(m.as_bytes(), max_attachment_bytes=LIMIT)
    assert email.text == "FYI\n\nShipped today, UPS 1Z999AA10123456784."


def test_the_sender_is_the_address_not_a_display_name_that_looks_like_one():
    m = message(From='"ship@avtech.example" <Someone@Elsewhere.example>')
    m.set_content("Shipped.")
    email = parse_eml(m.as_bytes(), max_attachment_bytes=LIMIT)
    assert email.from_address == "someone@elsewhere.example"
    assert email.from_name == "ship@avtech.example"


def test_a_date_far_in_the_future_is_not_believed():
    m = message(Date="Fri, 01 Jan 2100 00:00:00 +0000")
    m.set_content("In work.")
    assert parse_eml(m.as_bytes(), max_attachment_bytes=LIMIT, received_at=NOW).received_at == NOW
