"""`python -m cli ...`: the same as `gt ...`."""

from cli import main

main()
