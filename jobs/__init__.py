"""Jobs: every tool runs as a retried Dramatiq actor; background work runs on its own queue.

    broker.py       the broker from Settings: Redis (production) or Stub (embedded), same middleware
    wakeup.py       a RedisBroker whose idle consumers wake on a sent message instead of polling
    results.py      result backends that also notify the waiting caller; result decoding
    replies.py      the caller's side: one future per call, one Redis listener per event loop
    transient.py    which errors are worth retrying (lost connection, deadlock, 429/5xx...)
    policies.py     retry/time-limit options for interactive and background actors
    operations.py   the registry of tool operations (name -> function) that `run_tool` runs
    idempotency.py  a write applies once: its key is committed with the change
    failures.py     final failures and scheduled runs, recorded in the database
    actors.py       the actors themselves (import this module to declare them)
    runner.py       `await call(name, args, actor=...)`: run a tool's actor from asyncio
    embedded.py     the in-process worker and scheduler of the embedded mode
    scheduler.py    APScheduler jobs with a Redis lock per firing
    status.py       queue depths, in-flight, retries and failures for `gt jobs status`

Dependencies point one way: tools -> jobs -> domain (and bootstrap, the composition root).
"""
