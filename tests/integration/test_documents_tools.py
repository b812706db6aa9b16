"""The document tools through the embedded job system: a dropped file is previewed (name, size,
kind, RO), filed after Confirm, listed on the RO; removal; the status card's certificate warning
and an approver's override."""

from __future__ import annotations

import asyncio

import pytest
from pydantic_ai import ApprovalRequired

from bootstrap import bootstrap
from config import load_settings
from domain.models.chat import Approval
from domain.roles import SYSTEM, Actor, Role
from tests.conftest import TODAY
from tests.documents_samples import certificate_lines, text_pdf
from tests.integration.c13_desk import EDITOR, VIEWER, add_ro, c13_desk, tool_ctx  # noqa: F401
from tools.documents import attach_document, list_documents, remove_document
from tools.repair_orders import get_repair_order, update_status

pytestmark = pytest.mark.dialect
APPROVER = Actor("ann@genthrust.test", Role.APPROVER, "chat")


def ask_card(app, call_id, tool, actor=EDITOR, **args) -> Approval:
    with pytest.raises(ApprovalRequired) as raised:
        asyncio.run(tool(tool_ctx(app, actor, call_id, tool.__name__), **args))
    return app.approvals.get(raised.value.metadata["approval_id"])


def answer(app, call_id, tool, actor=EDITOR, **args) -> dict:
    return asyncio.run(tool(tool_ctx(app, actor, call_id, tool.__name__, approved=True), **args))


def read(app, tool, actor=EDITOR, **args) -> dict:
    return asyncio.run(tool(tool_ctx(app, actor, "read", tool.__name__), **args))


@pytest.fixture
def desk(c13_desk):  # noqa: F811
    add_ro(c13_desk, "38462", "Avtech Hydraulics", "SHIPPED")
    return c13_desk


def test_a_dropped_certificate_is_previewed_filed_after_confirm_and_listed(desk):
    pdf = text_pdf(certificate_lines(part="P-38462", serial="S38462"))
    staged = desk.uploads.stage("scan 0012.pdf", pdf)
    card = ask_card(desk, "attach-1", attach_document, ro_number="38462", upload_id=staged.id)
    changes = {field: new for field, _, new in card.preview["changes"]}
    assert changes["name"] == "scan 0012.pdf" and changes["kind"] == "release certificate"
    assert changes["RO"] == "38462" and changes["size"].endswith("KB")
    assert "matches the RO" in card.preview["note"]
    assert read(desk, list_documents, ro_number="38462")["documents"] == []  # not yet filed

    desk.approvals.decide(EDITOR, card.id, True)
    result = answer(desk, "attach-1", attach_document, ro_number="38462", upload_id=staged.id)
    assert result["document"]["name"] == "scan 0012.pdf"
    assert result["certificate"]["matches"] is True

    ro = read(desk, get_repair_order, ro_number="38462")
    assert [d["name"] for d in ro["documents"]] == ["scan 0012.pdf"]
    assert ro["certificate"]["matches"] is True
    assert ro["documents"][0]["certificate_fields"]["serial_number"]["value"] == "S38462"


def test_bad_upload_ids_and_viewers_change_nothing(desk):
    from pydantic_ai import ModelRetry

    with pytest.raises(ModelRetry, match="not an upload id"):
        asyncio.run(
            attach_document(
                tool_ctx(desk, EDITOR, "x", "attach_document"),
                ro_number="38462",
                upload_id="../../etc/passwd",
            )
        )
    staged = desk.uploads.stage("a.pdf", text_pdf(["hello"] * 5))
    refused = asyncio.run(
        attach_document(
            tool_ctx(desk, VIEWER, "y", "attach_document"), ro_number="38462", upload_id=staged.id
        )
    )
    assert "cannot change data" in refused["error"]
    assert desk.documents.list("38462") == []


def test_remove_after_confirm(desk):
    staged = desk.uploads.stage("quote.pdf", text_pdf(["Quotation for overhaul"] * 3))
    card = ask_card(desk, "a", attach_document, ro_number="38462", upload_id=staged.id)
    desk.approvals.decide(EDITOR, card.id, True)
    doc_id = answer(desk, "a", attach_document, ro_number="38462", upload_id=staged.id)["document"][
        "id"
    ]
    card = ask_card(desk, "r", remove_document, document_id=doc_id, reason="wrong RO")
    assert card.preview["changes"][0][2] == "removed"
    desk.approvals.decide(EDITOR, card.id, True)
    answer(desk, "r", remove_document, document_id=doc_id, reason="wrong RO")
    assert read(desk, list_documents, ro_number="38462")["documents"] == []


def test_the_status_card_warns_when_no_certificate_matches(desk):
    card = ask_card(desk, "s1", update_status, ro_number="38462", new_status="RECEIVED")
    assert "no release certificate" in card.preview["warning"]


@pytest.fixture
def enforcing(db_url, tmp_path):
    settings = load_settings(
        database_url=db_url, var_dir=tmp_path / "var", redis_url="", certificate_gate="enforce"
    )
    app = bootstrap(settings, today=lambda: TODAY)
    app.users.add(SYSTEM, EDITOR.name, "editor")
    app.users.add(SYSTEM, APPROVER.name, "approver")
    from domain.models import Shop

    with app.uow() as uow:
        uow.session.add(Shop(name="Avtech Hydraulics", name_key="AVTECH HYDRAULICS"))
        uow.commit()
    add_ro(app, "38462", "Avtech Hydraulics", "SHIPPED")
    app.jobs.start()
    yield app
    app.jobs.stop()
    app.engine.dispose()


def test_enforced_gate_refuses_an_editor_and_records_an_approvers_override(enforcing):
    card = ask_card(enforcing, "e1", update_status, ro_number="38462", new_status="RECEIVED")
    assert "Enforced here" in card.preview["warning"]
    enforcing.approvals.decide(EDITOR, card.id, True)
    result = answer(enforcing, "e1", update_status, ro_number="38462", new_status="RECEIVED")
    assert "Not applied" in result["error"] and "release certificate" in result["error"]
    assert enforcing.repair_orders.get("38462").status == "SHIPPED"

    args = {
        "ro_number": "38462",
        "new_status": "RECEIVED",
        "certificate_override_reason": "cert follows by mail, unit inspected",
    }
    card = ask_card(enforcing, "e2", update_status, actor=APPROVER, **args)
    assert "Override by ann@genthrust.test" in card.preview["warning"]
    enforcing.approvals.decide(APPROVER, card.id, True)
    answer(enforcing, "e2", update_status, actor=APPROVER, **args)
    assert enforcing.repair_orders.get("38462").status == "RECEIVED"
    overrides = [
        a for a in enforcing.repair_orders.activity("38462") if a.action == "CERTIFICATE_OVERRIDE"
    ]
    assert len(overrides) == 1 and "follows by mail" in overrides[0].new_value
