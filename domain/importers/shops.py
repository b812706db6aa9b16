"""Shops from a workbook sheet or the legacy `shops` table, matched by UPPER(TRIM(name))."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from domain.errors import RoTrackerError
from domain.importers.common import RowOutcome, header_key, is_blank, without_bidi
from domain.models import Shop
from domain.repair_orders import shop_key
from domain.unit_of_work import UnitOfWorkFactory
from domain.users import normalize_email
from domain.values import clean_text

# Column, reduced to [A-Z0-9] -> Shop field. Address lines 1-4 are joined into `address`.
SHOP_COLUMNS = {
    "BUSINESSNAME": "name",
    "SHOPNAME": "name",
    "NAME": "name",
    "SHOP": "name",
    "EMAIL": "email",
    "CONTACT": "contact",
    "PHONE": "phone",
    "PAYMENTTERMS": "payment_terms",
    "TERMS": "payment_terms",
    "ADDRESS": "address",
    "ADDRESSLINE1": "address",
    "ADDRESSLINE2": "address",
    "ADDRESSLINE3": "address",
    "ADDRESSLINE4": "address",
    "CITY": "city",
    "STATE": "state",
    "ZIP": "zip",
    "ZIPCODE": "zip",
    "COUNTRY": "country",
    "ILSCODE": "ils_code",
}
SIZES = {"name": 200, "email": 320, "contact": 200, "phone": 60, "payment_terms": 60}
SIZES |= {"address": 500, "city": 100, "state": 60, "zip": 20, "country": 60, "ils_code": 40}


def shop_record(columns: dict[str, object]) -> dict[str, object]:
    """Source columns (any spelling) -> raw shop fields, address lines joined."""
    record: dict[str, object] = {}
    for column, value in columns.items():
        name = SHOP_COLUMNS.get(header_key(column))
        if name is None or is_blank(value):
            continue
        if name == "address" and record.get("address"):
            record["address"] = f"{record['address']}, {str(value).strip()}"
        else:
            record.setdefault(name, str(value).strip() if not isinstance(value, str) else value)
    return record


def _clean(record: dict[str, object]) -> tuple[dict[str, Any], list[str]]:
    values: dict[str, Any] = {}
    record, bidi_warning = without_bidi(record)
    warnings: list[str] = [bidi_warning] if bidi_warning else []
    for name, value in record.items():
        try:
            text = clean_text(value, field=name.replace("_", " "), max_chars=SIZES[name])
            values[name] = normalize_email(text) if name == "email" and text else text
        except RoTrackerError as exc:
            warnings.append(f"{name.replace('_', ' ')} left empty: {exc}")
    return values, warnings


def import_shops(
    uow: UnitOfWorkFactory, records: list[tuple[str, dict[str, object]]], *, dry_run: bool
) -> list[RowOutcome]:
    """Create or update shops (never delete); blank source cells do not clear stored values."""
    outcomes = []
    seen: set[str] = set()
    for source, record in records:
        values, warnings = _clean(record)
        name = values.get("name")
        if not name:
            skipped = "blank row" if not record else "no shop name"
            outcomes.append(RowOutcome(source, None, "skipped", skipped, warnings=warnings))
            continue
        key = shop_key(name)
        if key in seen:
            outcomes.append(RowOutcome(source, name, "skipped", f"shop {name} appears earlier"))
            continue
        seen.add(key)
        outcome = RowOutcome(source, name, "unchanged", warnings=warnings)
        with uow() as unit:
            s = unit.session
            shop = s.scalar(select(Shop).where(Shop.name_key == key))
            if shop is None:
                outcome.action, outcome.changes = "created", sorted(values)
                if not dry_run:
                    s.add(Shop(name_key=key, **values))
            else:
                changes = {k: v for k, v in values.items() if k != "name" and getattr(shop, k) != v}
                if changes:
                    outcome.action, outcome.changes = "updated", sorted(changes)
                    for k, v in changes.items():
                        setattr(shop, k, v)
            if not dry_run and outcome.action != "unchanged":
                unit.commit()
        outcomes.append(outcome)
    return outcomes
