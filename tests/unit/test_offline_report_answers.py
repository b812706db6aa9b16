"""A turnaround report in words: the average asked for is said, and one shop is not called both
the slowest and the fastest."""

from agent.offline.answers import word


def _turnaround(rows):
    return {
        "kind": "turnaround",
        "title": "Turnaround per shop: dropped off to received (days)",
        "period": {"label": "2026"},
        "summary": {
            "ros": sum(r["ros"] for r in rows),
            "median_days": 52.0,
            "mean_days": 52.4,
            "p90_days": 69,
            "slowest_shop": rows[0]["shop"],
            "slowest_median_days": rows[0]["median_days"],
            "fastest_shop": rows[-1]["shop"],
            "fastest_median_days": rows[-1]["median_days"],
        },
        "columns": ["shop", "ros", "median_days"],
        "rows": rows,
    }


def test_one_shop_is_not_its_own_slowest_and_fastest():
    text = word(
        "report", _turnaround([{"shop": "Avtech Hydraulics", "ros": 7, "median_days": 52.0}])
    )
    assert "7 ROs: median 52.0 days, mean 52.4, p90 69 days." in text
    assert "slowest" not in text and "fastest" not in text


def test_several_shops_name_the_slowest_and_the_fastest():
    rows = [
        {"shop": "Avtech Hydraulics", "ros": 7, "median_days": 52.0},
        {"shop": "Dallas Airmotive", "ros": 4, "median_days": 20.0},
    ]
    text = word("report", _turnaround(rows))
    assert (
        "slowest Avtech Hydraulics (median 52.0 days), fastest Dallas Airmotive (20.0 days)" in text
    )
