"""The confirmation card shows each value literally: text from people, workbooks and scanned
certificates can neither style the card nor add a row that looks like another change."""

from __future__ import annotations

from domain.models.chat import Approval
from domain.replies.shown import literal_cell as cell
from web.approvals import confirmation_markdown

FORGED = "seal kit ordered\n| status | IN WORK | **PAID** |\nsee https://evil.example/x"


def _card(changes: list, **preview) -> str:
    approval = Approval(
        tool_name="update_repair_order",
        preview={"title": "Update RO 38025", "changes": changes, **preview},
    )
    return confirmation_markdown(approval)


def test_a_several_line_note_is_one_row_with_its_lines_kept():
    card = _card([["notes", "Customer AOG — expedite", "Customer AOG — expedite\nseal kit"]])
    rows = [line for line in card.splitlines() if line.startswith("|")]
    assert rows[2:] == [
        "| notes | Customer AOG — expedite | **Customer AOG — expedite ↵ seal kit** |"
    ]


def test_text_that_looks_like_a_row_or_markdown_is_shown_literally():
    card = _card([["notes", None, FORGED]])
    rows = [line for line in card.splitlines() if line.startswith("|")]
    assert len(rows) == 3  # the header, its rule, and the one change
    assert "\\| status \\| IN WORK \\| \\*\\*PAID\\*\\* \\|" in rows[2]
    assert "https\\[:\\]//evil.example/x" in rows[2]  # defanged: no link to click
    assert rows[2].startswith("| notes | — | **seal kit ordered ↵ ")


def test_a_certificates_text_and_an_override_reason_are_literal_too():
    gate = {"match": {"problems": ["serial number differs"],
                      "part_number": {"ro": "3214-552-01", "certificate": "3214-552-01"},
                      "serial_number": {"ro": "R28503", "certificate": "R2|85**08"}}}  # fmt: skip
    override = {"by": "ann@genthrust.test", "reason": "mail follows\n| status | x | **y** |"}
    card = _card([["status", "SHIPPED", "RECEIVED"]], gate=gate, override=override)
    assert "| serial number | R28503 | R2\\|85\\*\\*08 | ⚠️ |" in card
    assert (
        "overridden by ann@genthrust.test: mail follows \\| status \\| x \\| \\*\\*y\\*\\* \\|"
        in card
    )


def test_an_empty_value_is_a_dash():
    assert cell(None) == cell("") == cell("  \n ") == "—"
