"""What each `gt worker` process imports (Dramatiq's own CLI starts the processes): the
worker's App, whose actors bootstrap declares on Dramatiq's global broker. Modules named with
`gt worker --module M` add their `OPERATIONS` (test-only or plug-in operations). Each process
heartbeats and requeues dead workers' messages every few seconds (bootstrap), and asks once at
start for confirmed changes still without an outcome."""

import contextlib
import importlib

import redis

from bootstrap import bootstrap
from jobs.actors import declare_operation
from jobs.tasks import recover_lost_work

APP = bootstrap(process="worker")
with contextlib.suppress(redis.RedisError):  # Redis away: the scheduler's pass will do it
    APP.jobs.send(recover_lost_work)  # what a dead worker or a lost message left behind
for _name in filter(None, APP.settings.worker_modules.split(",")):
    for _operation in importlib.import_module(_name).OPERATIONS:
        declare_operation(APP, _operation)
