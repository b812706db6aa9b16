"""Jobs: every tool runs as a retried Dramatiq actor; background work runs on its own queue.

app.py          the App: one process's object graph (bootstrap builds it)
broker.py       the broker from Settings: Redis (production) or Stub (embedded), same middleware
runtime.py      `Jobs`: call an operation / send a task by reference; the embedded worker
actors.py       every actor, declared per App: one per operation, one per background task
operation.py    what an operation is (`@reads`, `@writes`), its context
operations/     the operations, one module per area, mirroring tools/
tasks.py        scheduled background tasks (overdue sweep, follow-ups, pruning)
excel/ mail/    the Excel sync and email sending tasks
acting.py       who a tool call acts as (cached user lookup)
idempotency.py  a write applies once: its key is committed with the change
wakeup.py       a RedisBroker whose idle consumers wake on a sent message instead of polling
results.py      result backends that also notify the waiting caller; result decoding
replies.py      the caller's side: one future per call, one Redis listener per event loop
transient.py    which errors are worth retrying (lost connection, deadlock, 429/5xx...)
policies.py     retry/time-limit options for interactive and background actors
failures.py     final failures and scheduled runs, recorded in the database
scheduler.py    APScheduler jobs with a Redis lock per firing
status.py       queue depths, in-flight, retries and failures for `gt jobs status`
"""
