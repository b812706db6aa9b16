"""`gt demo`: demo data."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.common import JsonOpt, app_instance, handles_errors, out, print_json, progress, to_jsonable

demo_cli = typer.Typer(no_args_is_help=True, help="Demo data.")


@demo_cli.command("seed")
@handles_errors
def demo_seed(
    ros: Annotated[int, typer.Option(min=0, max=2_000_000, help="Repair orders to create.")] = 650,
    shops: Annotated[int, typer.Option(min=1, max=500, help="Repair shops to create.")] = 30,
    parts: Annotated[
        int, typer.Option(min=0, max=2_000_000, help="Stock lines (with usage history).")
    ] = 3000,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same data).")] = 7,
    if_empty: Annotated[bool, typer.Option("--if-empty", help="Do nothing if ROs exist.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Load realistic demo data: shops, ROs in every archive, history, inventory."""
    from domain.demo import DemoSpec, seed_demo, seed_inventory

    app = app_instance(migrate=True)
    with progress("Seeding demo data", ros) as advance:
        report = seed_demo(
            app, DemoSpec(ros=ros, shops=shops, seed=seed), if_empty=if_empty, on_progress=advance
        )
    with progress("Seeding inventory", parts) as advance:
        stock = seed_inventory(app, parts, seed, advance, if_empty=if_empty)
    if as_json:
        print_json({**to_jsonable(report), "inventory": stock})
    else:
        out.print(report.summary())
        out.print(stock.summary())
