"""A report's RO-number cells show a few numbers and how many more, not a column of dozens."""

from agent.offline.answers import _cell


def test_a_long_list_of_ro_numbers_is_cut_with_a_count():
    numbers = [str(38000 + i) for i in range(13)]
    assert _cell(numbers) == "38000, 38001, 38002, 38003, 38004 +8 more"
    assert _cell(numbers[:2]) == "38000, 38001"
    assert _cell([]) == "—" and _cell(None) == "—"
