"""An RO list's file is named after what was asked, every filter given — 0 days too."""

from jobs.exports import stem_of


def test_the_file_name_says_each_filter_given_and_none_left_out():
    filters = {"at_shop_for_more_than_days": 0, "overdue": True, "shop": None, "missing": []}
    assert stem_of(filters) == "ro-list-at_shop_for_more_than_days-0-overdue"
    assert stem_of({"missing": ["eta", "final_cost"], "eta_passed": False}) == (
        "ro-list-missing-eta-final_cost"
    )
