"""`gt inventory`: stock search, low stock, using a part."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.common import (
    JsonOpt,
    UserOpt,
    acting_user,
    app_instance,
    handles_errors,
    out,
    print_json,
    table,
)

inventory_cli = typer.Typer(no_args_is_help=True, help="Stock: search, low stock, use a part.")


@inventory_cli.command("search")
@handles_errors
def inventory_search(
    text: Annotated[str, typer.Argument(help="Part number (dashes optional) or words.")],
    condition: Annotated[str | None, typer.Option(help="NE, OH, SV or AR.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=200)] = 25,
    as_json: JsonOpt = False,
) -> None:
    """Find stock: exact part number, then prefix, then substring and description words."""
    result = app_instance().inventory.search(text, condition=condition, limit=limit)
    if as_json:
        print_json(result)
        return
    more = " (more exist: refine the search)" if result.truncated else ""
    table(
        f"{result.count} found by {result.search_method} match for {result.query!r}{more}",
        ["Id", "Part", "Description", "Qty", "Cond", "Location", "Serial", "Matched"],
        [
            [
                i.id,
                i.part_number,
                i.description,
                i.qty,
                i.condition,
                i.location,
                i.serial_number,
                i.match,
            ]
            for i in result.items
        ],
    )


@inventory_cli.command("low-stock")
@handles_errors
def inventory_low_stock(
    threshold: Annotated[int, typer.Option(min=1, max=100_000, help="Below this qty.")] = 5,
    limit: Annotated[int, typer.Option(min=1, max=5000)] = 50,
    as_json: JsonOpt = False,
) -> None:
    """Parts whose total over all locations is below the threshold, with where the stock is,
    90-day usage, reorder quantity and urgency."""
    report = app_instance().inventory.low_stock(threshold=threshold, limit=limit)
    if as_json:
        print_json(report)
        return
    counts = ", ".join(f"{n} {u}" for u, n in report.by_urgency.items())
    table(
        f"{report.total} parts below {report.threshold} in total over "
        f"{report.stock_lines} stock lines ({counts})",
        ["Urgency", "Part", "Total", "Where", "Used 90 d", "Days left", "Reorder"],
        [
            [
                e.urgency,
                e.part_number,
                e.total_qty,
                "; ".join(_place(p) for p in e.places),
                e.usage_90_days,
                e.days_until_stockout,
                e.recommended_reorder,
            ]
            for e in report.items
        ],
    )


def _place(place) -> str:
    """ "BIN B27 SV 100": where some of a part is, its condition and quantity."""
    return " ".join(str(v) for v in (place.location or "?", place.condition, place.qty) if v)


@inventory_cli.command("use")
@handles_errors
def inventory_use(
    part: Annotated[str, typer.Argument(help="Part number (dashes optional).")],
    ro: Annotated[str, typer.Option("--ro", help="The RO the part is used on.")],
    item: Annotated[
        int | None, typer.Option(help="Stock line id, when the part is in several places.")
    ] = None,
    note: Annotated[str | None, typer.Option(help="Why, for the log.")] = None,
    user: UserOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Take one unit from stock for an RO (decrement + log, refused when none is left)."""
    app = app_instance()
    result = app.inventory.use_part(acting_user(app, user), part, ro, note=note, item_id=item)
    if as_json:
        print_json(result)
        return
    low = " — low stock, reorder" if result.is_low_stock else ""
    out.print(
        f"Took 1 × {result.part_number} from {result.location or 'stock'} for RO "
        f"{result.ro_number}: {result.previous_qty} → {result.new_qty}{low}."
    )
