"""Money summed by the database back to cents, one way for the dashboard, the spend report and
the search's totals."""

from decimal import Decimal

from domain.costs import cents


def test_a_sum_is_read_back_as_cents():
    # SQLite sums a Numeric column as a float: ten costs of $0.10 come back as 0.9999999999999999
    assert cents(sum([0.1] * 10)) == Decimal("1.00")
    assert cents(sum([1234.56] * 3)) == Decimal("3703.68")
    assert cents(Decimal("1234.5")) == Decimal("1234.50")  # MariaDB's DECIMAL sum as it is
    assert cents(None) == Decimal("0.00")  # a SUM of no rows
