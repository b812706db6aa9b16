"""What a set of ROs cost, one way for the spend report and the search's totals: the final cost
where there is one, else the estimate — the two parts apart, and how many ROs have neither."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, func

from domain.models import RepairOrder

CENT = Decimal("0.01")


@dataclass(frozen=True)
class CostTotals:
    ros: int
    value: Decimal  # final + estimated
    final: Decimal  # the final costs
    with_final: int
    estimated: Decimal  # the estimates of the ROs without a final cost
    estimate_only: int
    no_cost: int


def ro_cost() -> Any:
    """One RO's cost as the totals count it: the final cost where there is one, else the
    estimate (NULL when it has neither)."""
    return func.coalesce(RepairOrder.final_cost, RepairOrder.estimated_cost)


def cost_columns() -> list[Any]:
    """The aggregate columns `cost_totals` reads, in its order (add GROUP BY for groups)."""
    ro = RepairOrder
    has_final = ro.final_cost.is_not(None)
    estimate_only = and_(ro.final_cost.is_(None), ro.estimated_cost.is_not(None))
    return [
        func.count(),
        func.sum(ro.final_cost),
        func.sum(case((estimate_only, ro.estimated_cost), else_=None)),
        counted(has_final),
        counted(estimate_only),
    ]


def cost_totals(row: Any) -> CostTotals:
    """The totals from the values of `cost_columns()`."""
    ros, final, estimated, with_final, estimate_only = row
    ros, with_final, estimate_only = int(ros), int(with_final), int(estimate_only)
    final, estimated = cents(final), cents(estimated)
    return CostTotals(
        ros=ros,
        value=final + estimated,
        final=final,
        with_final=with_final,
        estimated=estimated,
        estimate_only=estimate_only,
        no_cost=ros - with_final - estimate_only,
    )


def counted(condition: Any) -> Any:
    """How many rows meet `condition` (0, not NULL, when there are none)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def cents(total: Any) -> Decimal:
    # SQLite sums a Numeric column as a float, and a SUM of no rows is NULL: back to cents
    return Decimal(str(total or 0)).quantize(CENT)
