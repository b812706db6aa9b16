"""Excel sync (write-behind): the company workbook kept in step with the database.

sync.py       drain the domain_events outbox / full rewrite; pending changes; recent failures
progress.py   sync jobs and their progress (for the chat's progress bar)
actor.py      the `excel_sync` background task
nudge.py      the debounced event handler that sends it after RO changes
"""
