"""What each `gt worker` process imports (Dramatiq's own CLI starts the processes): the
worker's App, whose actors bootstrap declares on Dramatiq's global broker. Modules named with
`gt worker --module M` add their `OPERATIONS` (test-only or plug-in operations)."""

import importlib

from bootstrap import bootstrap
from jobs.actors import declare_operation

APP = bootstrap(process="worker")
for _name in filter(None, APP.settings.worker_modules.split(",")):
    for _operation in importlib.import_module(_name).OPERATIONS:
        declare_operation(APP, _operation)
