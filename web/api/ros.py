"""`/api/ros`: the legacy repair-order contract (camelCase shapes, archive moves, dashboard).

Every write goes through `RepairOrderService` — the chat's change path — as the token's user
with source "api": same validation and refusals, status rules, follow-up dates, history and
Excel outbox. Improvements that old clients do not notice: `ETag` on reads and `If-Match` on
PATCH (412 when stale), `Idempotency-Key` on POST, paging (`limit`/`offset`) with a `Link`
header when an unpaged list is capped.

`id` is the RO number (the old per-table ids changed whenever an RO moved between archive
tables; the number is unique across archives and never changes).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm.exc import StaleDataError

from domain.archive import Archive, parse_archive
from domain.archive import destination as archive_destination
from domain.errors import InvalidInput, StaleVersion
from domain.repair_orders import ListFilter, RepairOrderView
from domain.roles import Actor, Role
from domain.stats import current_dashboard
from domain.statuses import check_transition, parse_status
from domain.unit_of_work import OneTransaction
from web.api import idempotency
from web.api.auth import Caller, Credential, admit, context, needs
from web.api.errors import PreconditionFailed

router = APIRouter(prefix="/api/ros", tags=["repair orders"])

# The legacy JSON names of the editable fields -> the service's field names.
FIELDS = {
    "dateMade": "date_made",
    "shopName": "shop_name",
    "partNumber": "part_number",
    "serialNumber": "serial_number",
    "partDescription": "part_description",
    "requiredWork": "required_work",
    "dateDroppedOff": "date_dropped_off",
    "estimatedCost": "estimated_cost",
    "finalCost": "final_cost",
    "terms": "terms",
    "shopReferenceNumber": "shop_ref",
    "estimatedDeliveryDate": "estimated_delivery",
    "genThrustStatus": "genthrust_status",
    "shopStatus": "shop_status",
    "trackingNumber": "tracking_number",
    "notes": "notes",
    "lastDateUpdated": "last_updated",
    "nextDateToUpdate": "next_update",
}
# The old API called the Returns archive RETURNED; it is accepted either way and answered so.
_ARCHIVE_OUT = {Archive.RETURNS: "RETURNED"}

Money = str | int | float | None


class RepairOrderOut(BaseModel):
    id: str
    roNumber: str
    dateMade: str | None
    shopName: str | None
    partNumber: str | None
    serialNumber: str | None
    partDescription: str | None
    requiredWork: str | None
    dateDroppedOff: str | None
    estimatedCost: str | None
    finalCost: str | None
    terms: str | None
    shopReferenceNumber: str | None
    estimatedDeliveryDate: str | None
    currentStatus: str | None
    currentStatusDate: str | None
    genThrustStatus: str | None
    shopStatus: str | None
    trackingNumber: str | None
    notes: str | None
    lastDateUpdated: str | None
    nextDateToUpdate: str | None
    archiveStatus: str
    isOverdue: bool
    daysOverdue: int
    version: int


class _RoFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dateMade: str | None = None
    shopName: str | None = None
    partNumber: str | None = None
    serialNumber: str | None = None
    partDescription: str | None = None
    requiredWork: str | None = None
    dateDroppedOff: str | None = None
    estimatedCost: Money = None
    finalCost: Money = None
    terms: str | None = None
    shopReferenceNumber: str | None = None
    estimatedDeliveryDate: str | None = None
    genThrustStatus: str | None = None
    shopStatus: str | None = None
    trackingNumber: str | None = None
    notes: str | None = None
    lastDateUpdated: str | None = None
    nextDateToUpdate: str | None = None
    currentStatusDate: str | None = None
    archiveStatus: str | None = None


class RepairOrderCreate(_RoFields):
    roNumber: str
    shopName: str
    partDescription: str
    currentStatus: str


class RepairOrderPatch(_RoFields):
    roNumber: str | None = None
    currentStatus: str | None = None


class Dashboard(BaseModel):
    totalActive: int
    overdue: int
    waitingQuote: int
    approved: int
    beingRepaired: int
    shipping: int
    dueToday: int
    overdue30Plus: int
    onTrack: int
    totalValue: str
    totalEstimatedValue: str
    totalFinalValue: str
    approvedPaid: int
    approvedNet: int
    rai: int
    ber: int
    cancel: int
    scrapped: int


def _day(value: date | None) -> str | None:
    # The old API sent MySQL dates as JavaScript ISO timestamps at midnight UTC.
    return f"{value.isoformat()}T00:00:00.000Z" if value else None


def _money(value: Decimal | None) -> str | None:
    return f"{value:.2f}" if value is not None else None


def archive_name(archive: Archive) -> str:
    return _ARCHIVE_OUT.get(archive, archive.value)


def to_legacy(ro: RepairOrderView) -> dict[str, Any]:
    """The legacy JSON object (`RepairOrderOut`'s fields; built as a plain dict because lists
    of hundreds are serialized per request and the values are already validated)."""
    return {
        "id": ro.number,
        "roNumber": ro.number,
        "dateMade": _day(ro.date_made),
        "shopName": ro.shop_name,
        "partNumber": ro.part_number,
        "serialNumber": ro.serial_number,
        "partDescription": ro.part_description,
        "requiredWork": ro.required_work,
        "dateDroppedOff": _day(ro.date_dropped_off),
        "estimatedCost": _money(ro.estimated_cost),
        "finalCost": _money(ro.final_cost),
        "terms": ro.terms,
        "shopReferenceNumber": ro.shop_ref,
        "estimatedDeliveryDate": _day(ro.estimated_delivery),
        "currentStatus": ro.status.value if ro.status else ro.raw_status,
        "currentStatusDate": _day(ro.status_date),
        "genThrustStatus": ro.genthrust_status,
        "shopStatus": ro.shop_status,
        "trackingNumber": ro.tracking_number,
        "notes": ro.notes,
        "lastDateUpdated": _day(ro.last_updated),
        "nextDateToUpdate": _day(ro.next_update),
        "archiveStatus": archive_name(ro.archive),
        "isOverdue": ro.is_overdue,
        "daysOverdue": ro.days_overdue,
        "version": ro.version,
    }


def etag(ro: RepairOrderView) -> str:
    return f'"{ro.number}.v{ro.version}"'


def _one(ro: RepairOrderView, status: int = 200) -> JSONResponse:
    return JSONResponse(to_legacy(ro), status_code=status, headers={"ETag": etag(ro)})


def _fields(body: _RoFields) -> dict[str, Any]:
    """The editable fields the client sent (null clears), by the service's names."""
    sent = body.model_fields_set
    return {FIELDS[name]: getattr(body, name) for name in FIELDS if name in sent}


# ---- reading ----------------------------------------------------------------------------------
@router.get("", response_model=list[RepairOrderOut], summary="Repair orders of one archive")
def list_ros(
    request: Request,
    credential: Credential,
    archiveStatus: Annotated[str, Query(description="ACTIVE, PAID, NET or RETURNED")] = "ACTIVE",
    limit: Annotated[int | None, Query(ge=1, le=500, description="Page size (paging)")] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    admit(request, credential)
    app = context(request).app
    archive = parse_archive(archiveStatus)
    cap = app.settings.api_list_cap
    size = limit or cap
    # Rendered ROs are kept between requests (web/api/rendered.py): only the page's numbers
    # and versions are read each time, and only new or changed ROs are built and serialized.
    total, count, body = context(request).rendered_ros.page(
        app.repair_orders, ListFilter(archive=archive, limit=size, offset=offset)
    )
    headers = {"X-Total-Count": str(total)}
    if offset + count < total:
        query = urlencode(
            {"archiveStatus": archive_name(archive), "limit": size, "offset": offset + size}
        )
        headers["Link"] = f'<{request.url.path}?{query}>; rel="next"'
    return Response(body, media_type="application/json", headers=headers)


@router.get("/stats/dashboard", response_model=Dashboard, summary="Dashboard counts and values")
def dashboard(request: Request, actor: Caller) -> Dashboard:
    app = context(request).app
    d = current_dashboard(app.session_factory, app.today())
    return Dashboard(
        totalActive=d.total_active,
        overdue=d.overdue,
        waitingQuote=d.waiting_quote,
        approved=d.approved,
        beingRepaired=d.in_work,
        shipping=d.shipping,
        dueToday=d.due_today,
        overdue30Plus=d.overdue_30_plus,
        onTrack=d.on_track,
        totalValue=_money(d.total_estimated_value + d.total_final_value) or "0.00",
        totalEstimatedValue=_money(d.total_estimated_value) or "0.00",
        totalFinalValue=_money(d.total_final_value) or "0.00",
        approvedPaid=d.approved_paid,
        approvedNet=d.approved_net,
        rai=d.rai,
        ber=d.ber,
        cancel=d.cancel,
        scrapped=d.scrapped,
    )


@router.get("/{id}", response_model=RepairOrderOut, summary="One repair order, any archive")
def get_ro(id: str, request: Request, actor: Caller) -> Response:
    return _one(context(request).app.repair_orders.get(id))


# ---- writing ----------------------------------------------------------------------------------
@router.post(
    "",
    status_code=201,
    response_model=RepairOrderOut,
    summary="Create a repair order (409 when the number exists in any archive)",
)
async def create_ro(
    body: RepairOrderCreate,
    request: Request,
    actor: Annotated[Actor, Depends(needs(Role.EDITOR, "create repair orders"))],
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> Response:
    app = context(request).app

    def create() -> JSONResponse:
        fields = _fields(body)
        status_date = body.currentStatusDate
        if status_date is not None:
            fields["status_date"] = status_date
        ro = app.repair_orders.create(
            actor,
            fields,
            number=body.roNumber,
            status=body.currentStatus,
            archive=body.archiveStatus or Archive.ACTIVE,
        )
        return _one(ro, 201)

    return await idempotency.once(
        app, actor, idempotency_key, body.model_dump(), create, "/api/ros"
    )


@router.patch(
    "/{id}",
    response_model=RepairOrderOut,
    summary="Change fields, status and/or archive (412 when If-Match is stale)",
)
def patch_ro(
    id: str,
    body: RepairOrderPatch,
    request: Request,
    actor: Annotated[Actor, Depends(needs(Role.EDITOR, "change repair orders"))],
    if_match: Annotated[str | None, Header(alias="If-Match")] = None,
) -> Response:
    service = context(request).app.repair_orders
    current = service.get(id)
    if if_match is not None and not _matches(if_match, current):
        raise PreconditionFailed(
            f"RO {current.number} changed since you read it (now {etag(current)}); "
            "read it again and re-apply your change."
        )
    fields = _fields(body)
    sent = body.model_fields_set
    if "roNumber" in sent and body.roNumber != current.number:
        raise InvalidInput("roNumber cannot be changed; create a new RO instead.")
    # Everything is checked before anything is written, so a refusal changes nothing.
    values = service.parse_fields(fields) if fields else {}
    new_status = None
    if body.currentStatus is not None:
        new_status = parse_status(body.currentStatus)
        if new_status == current.status:
            new_status = None
        else:
            check_transition(current.status, new_status)
    elif "currentStatus" in sent:
        raise InvalidInput("currentStatus cannot be empty.")
    target = None
    if body.archiveStatus is not None:
        target = parse_archive(body.archiveStatus)
        archive_destination(new_status or current.status, values.get("terms"), target)
        if target == current.archive:
            target = None
    elif "archiveStatus" in sent:
        raise InvalidInput("archiveStatus cannot be empty.")
    if "currentStatusDate" in sent and new_status is None:
        raise InvalidInput("currentStatusDate goes with a new currentStatus.")
    if not (values or new_status or target):
        return _one(current)
    # One transaction: the fields, the status change and the archive move land together or
    # not at all (each step still checks and bumps the RO's version).
    app = context(request).app
    tx = OneTransaction(app.session_factory, list(app.handlers))
    steps = service.using(lambda: tx)
    version = current.version
    try:
        with tx:
            ro = current
            if values:
                ro = steps.update(actor, current.number, fields, expected_version=version)
                version = ro.version
            if new_status is not None:
                ro = steps.change_status(
                    actor,
                    current.number,
                    new_status,
                    expected_version=version,
                    status_date=body.currentStatusDate,
                )
                version = ro.version
            if target is not None:
                ro = steps.archive(actor, current.number, target, expected_version=version)
            try:
                tx.commit()
            except StaleDataError:
                raise StaleVersion(
                    f"RO {current.number} was changed by someone else a moment ago."
                ) from None
    except StaleVersion as exc:
        if if_match is not None:
            raise PreconditionFailed(str(exc)) from None
        raise
    return _one(ro)


class Deleted(BaseModel):
    success: bool
    message: str
    deletedFrom: str


@router.delete(
    "/{id}",
    response_model=Deleted,
    summary="Delete a repair order (admin; kept in the history, its number stays taken)",
)
def delete_ro(
    id: str,
    request: Request,
    actor: Annotated[Actor, Depends(needs(Role.ADMIN, "delete repair orders"))],
    if_match: Annotated[str | None, Header(alias="If-Match")] = None,
) -> Response:
    """The old API deleted the row for good; here the RO leaves every list, count, search,
    export and the workbook, while the row and its history stay (who deleted it and when).
    `deletedFrom` is the archive's old table name (active, net, paid, returns)."""
    service = context(request).app.repair_orders
    expected = None
    if if_match is not None:
        current = service.get(id)
        if not _matches(if_match, current):
            raise PreconditionFailed(
                f"RO {current.number} changed since you read it (now {etag(current)}); "
                "read it again before deleting it."
            )
        expected = current.version
    try:
        ro = service.delete(actor, id, expected_version=expected)
    except StaleVersion as exc:
        if if_match is not None:
            raise PreconditionFailed(str(exc)) from None
        raise
    return JSONResponse(
        {
            "success": True,
            "message": "Repair order deleted",
            "deletedFrom": ro.archive.value.lower(),
        }
    )


def _matches(if_match: str, ro: RepairOrderView) -> bool:
    if if_match.strip() == "*":
        return True
    tags = [t.strip().removeprefix("W/") for t in if_match.split(",")]
    return etag(ro) in tags
