"""The company workbook (REFERENCE §1 layout) as a writer with two implementations.

layout.py          sheets Active/Net/Paid/Returns, headers A-U, an RO as 21 cells
writer.py          the WorkbookWriter interface, sheet scans and write plans
plan.py            what to write: pure planning of incremental and full syncs
local.py           the local .xlsx (openpyxl; atomic replace; file lock) — embedded default
graph_session.py   a Graph workbook session: $batch, throttling, session expiry, chunking
graph_workbook.py  the Graph workbook writer (scan + apply over graph_session.py)
locks.py           one writer per workbook: Redis lock, or a file lock
targets.py         the configured workbook's name and writer from Settings
"""
