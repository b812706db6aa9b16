"""Excel sync (issue #7): the company workbook kept in step with the database, write-behind.

layout.py          sheets Active/Net/Paid/Returns, headers A-U, an RO as 21 cells
writer.py          the WorkbookWriter interface, sheet scans and write plans
plan.py            what to write: pure planning of incremental and full syncs
sync.py            drain the domain_events outbox / full rewrite; pending changes
local.py           the local .xlsx (openpyxl; atomic replace; file lock) — embedded default
graph.py           Graph HTTP: sessions, $batch, throttling, session expiry, chunking
graph_workbook.py  the Graph workbook writer (scan + apply over graph.py)
auth.py            msal tokens: app-only, or a delegated refresh token stored encrypted
locks.py           one writer per workbook: Redis lock, or a file lock
targets.py         the configured writer from Settings
progress.py        sync jobs and their progress (for the chat's progress bar)
actor.py           the `excel_sync` background actor
trigger.py         the debounced event handler that sends it after RO changes
operations.py      tool operations: excel_status, excel_full_sync, excel_sync_now, progress
errors.py          the error tree (transient vs permanent)
"""
