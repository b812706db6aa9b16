"""Dashboard figures are built once per distinct data, not once per person asking."""

from web import charts

DATA = {"status_breakdown": [["WAITING QUOTE", 4], ["BEING REPAIRED", 2]], "value_by_shop": []}


def test_the_same_numbers_reuse_the_figures_and_new_numbers_get_new_ones():
    builds = []

    def build(data):
        builds.append(data)
        return charts.dashboard_figures(data)

    first = charts.built_once(("dashboard", DATA), lambda: build(DATA))
    again = charts.built_once(("dashboard", dict(DATA)), lambda: build(DATA))
    assert again is first and len(builds) == 1
    assert [title for title, _ in first] == ["Active ROs by status"]

    changed = {**DATA, "status_breakdown": [["WAITING QUOTE", 5]]}
    other = charts.built_once(("dashboard", changed), lambda: build(changed))
    assert other is not first and len(builds) == 2
    assert list(other[0][1].data[0].y) == [5]


def test_only_the_most_recent_data_is_kept():
    for n in range(charts.KEPT_FIGURES + 5):
        charts.built_once(("test", n), lambda n=n: n)
    assert len(charts._built) <= charts.KEPT_FIGURES
    rebuilt = []
    charts.built_once(("test", 0), lambda: rebuilt.append(0))
    assert rebuilt == [0]  # the oldest was let go, so it is built again
