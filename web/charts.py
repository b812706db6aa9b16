"""Plotly figures for numbers people would rather look at than read."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

import plotly.graph_objects as go

BLUE, RED, GREY = "#2563eb", "#dc2626", "#64748b"
KEPT_FIGURES = 64  # figures built for the most recent distinct data
T = TypeVar("T")
_built: OrderedDict[str, Any] = OrderedDict()
_built_lock = threading.Lock()


def built_once(key: tuple, build: Callable[[], T]) -> T:
    """`build()`, or what it returned for the same key (kind and data) a moment ago: building a
    figure takes tens of milliseconds of CPU, and twenty people opening the dashboard in the
    same minute ask for the same numbers. The figures are only read afterwards (serialized)."""
    text = json.dumps(key, sort_keys=True, default=str)
    with _built_lock:
        if text in _built:
            _built.move_to_end(text)
            return _built[text]
    value = build()
    with _built_lock:
        _built[text] = value
        while len(_built) > KEPT_FIGURES:
            _built.popitem(last=False)
    return value


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


# ---- reports (tools/reports.py) ----------------------------------------------------------------
TOP = 15  # bars a chart can show legibly; the full rows are in the reply and the export
ORANGE = "#ea580c"


def _hbar(fig: go.Figure, title: str, rows: int) -> go.Figure:
    _layout(fig, title)
    fig.update_layout(height=max(320, 60 + 24 * rows), showlegend=True, barmode="stack")
    fig.update_yaxes(autorange="reversed")  # first row on top, as in the table
    return fig


def report_figure(kind: str, title: str, data: dict[str, Any]) -> go.Figure | None:
    """The figure for one report's rows (`domain.reports.Report.as_dict()`), or None."""
    rows = (data.get("rows") or [])[:TOP]
    if not rows:
        return None
    if kind == "spend_by_month":
        rows = data["rows"]  # every month of the period, in order
        months = [r["group"] for r in rows]
        fig = go.Figure(
            [
                go.Bar(x=months, y=[float(r["final"]) for r in rows], name="final cost"),
                go.Bar(x=months, y=[float(r["estimated"]) for r in rows], name="estimate only"),
            ]
        )
        fig.data[0].update(marker_color=BLUE)
        fig.data[1].update(marker_color=GREY)
        _layout(fig, title)
        fig.update_layout(barmode="stack", showlegend=True)
        fig.update_yaxes(tickprefix="$", separatethousands=True)
        return fig
    if kind == "counts":  # a search's matches per shop or status (search_repair_orders)
        groups = [str(name) for name, _ in rows]
        fig = go.Figure(
            go.Bar(
                y=groups,
                x=[count for _, count in rows],
                orientation="h",
                marker_color=BLUE,
                text=[str(count) for _, count in rows],
                textposition="auto",
            )
        )
        fig.update_xaxes(title_text="ROs")
        return _hbar(fig, title, len(rows)).update_layout(showlegend=False)
    if kind == "spend_by_shop":
        shops = [r["group"] for r in rows]
        fig = go.Figure(
            [
                go.Bar(y=shops, x=[float(r["final"]) for r in rows], orientation="h"),
                go.Bar(y=shops, x=[float(r["estimated"]) for r in rows], orientation="h"),
            ]
        )
        fig.data[0].update(name="final cost", marker_color=BLUE)
        fig.data[1].update(name="estimate only", marker_color=GREY)
        fig.update_xaxes(tickprefix="$", separatethousands=True)
        return _hbar(fig, title, len(rows))
    if kind in ("turnaround", "quote_latency"):
        shops = [r["shop"] for r in rows]
        fig = go.Figure(
            [
                go.Bar(
                    y=shops,
                    x=[r["median_days"] for r in rows],
                    orientation="h",
                    name="median",
                    marker_color=BLUE,
                    text=[f"{r['ros']} ROs" for r in rows],
                    textposition="auto",
                ),
                go.Scatter(
                    y=shops,
                    x=[r["p90_days"] for r in rows],
                    mode="markers",
                    name="p90",
                    marker={"color": RED, "symbol": "diamond", "size": 10},
                ),
            ]
        )
        fig.update_xaxes(title_text="days")
        return _hbar(fig, title, len(rows))
    if kind == "on_time":
        rated = [r for r in rows if r["on_time_rate"] is not None]
        fig = go.Figure(
            go.Bar(
                y=[r["shop"] for r in rated],
                x=[100 * r["on_time_rate"] for r in rated],
                orientation="h",
                name="on time",
                marker_color=BLUE,
                text=[f"{r['on_time']}/{r['with_eta']}" for r in rated],
                textposition="auto",
            )
        )
        fig.update_xaxes(ticksuffix="%", range=[0, 100])
        return _hbar(fig, title, len(rated))
    if kind == "outcomes":
        shops = [r["shop"] for r in rows]
        bars = [
            go.Bar(
                y=shops,
                x=[100 * r[k] / r["ros"] for r in rows],
                orientation="h",
                name=k.upper(),
                marker_color=color,
            )
            for k, color in (("ber", RED), ("rai", ORANGE), ("scrap", GREY))
        ]
        fig = go.Figure(bars)
        fig.update_xaxes(ticksuffix="%")
        return _hbar(fig, title, len(rows))
    if kind == "certificates":
        shops = [r["shop"] for r in rows]
        bars = [
            go.Bar(y=shops, x=[r[k] for r in rows], orientation="h", name=name, marker_color=c)
            for k, name, c in (
                ("no_certificate", "no certificate", RED),
                ("mismatched", "mismatched", ORANGE),
            )
        ]
        # Overrides overlap the two bars (an overridden RO is missing or mismatched): a marker.
        overridden = go.Scatter(
            y=shops,
            x=[r["overridden"] for r in rows],
            mode="markers",
            name="overridden",
            marker={"color": GREY, "symbol": "diamond", "size": 10},
        )
        fig = go.Figure([*bars, overridden])
        fig.update_xaxes(title_text="ROs received")
        return _hbar(fig, title, len(rows))
    return None
