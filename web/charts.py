"""Plotly figures for numbers people would rather look at than read."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

BLUE, RED, GREY = "#2563eb", "#dc2626", "#64748b"


def _layout(fig: go.Figure, title: str) -> go.Figure:
    fig.update_layout(
        title=title,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        height=320,
        template="plotly_white",
        showlegend=False,
    )
    return fig


def dashboard_figures(data: dict[str, Any]) -> list[tuple[str, go.Figure]]:
    statuses = data.get("status_breakdown") or []
    aging = data.get("overdue_aging") or []
    shops = data.get("value_by_shop") or []
    figures = []
    if statuses:
        fig = go.Figure(
            go.Bar(x=[s for s, _ in statuses], y=[n for _, n in statuses], marker_color=BLUE)
        )
        figures.append(("Active ROs by status", _layout(fig, "Active ROs by status")))
    if aging:
        fig = go.Figure(
            go.Bar(x=[label for label, _ in aging], y=[n for _, n in aging], marker_color=RED)
        )
        figures.append(("Overdue aging", _layout(fig, "Overdue ROs by days overdue")))
    if shops:
        ordered = list(reversed(shops))
        fig = go.Figure(
            go.Bar(
                x=[float(v) for _, v, _ in ordered],
                y=[name for name, _, _ in ordered],
                orientation="h",
                marker_color=GREY,
                text=[f"{n} ROs" for _, _, n in ordered],
                textposition="auto",
            )
        )
        fig.update_xaxes(tickprefix="$", separatethousands=True)
        figures.append(("Value by shop", _layout(fig, "Estimated value of active ROs, top shops")))
    return figures
