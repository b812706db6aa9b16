"""Chainlit entry (`chainlit run app.py`, which `gt serve` starts). Thin: builds the chat
process's App and registers the web adapter's callbacks."""

from bootstrap import bootstrap
from web.branding import quiet_logs
from web.chat import install

quiet_logs()  # before bootstrap: building the schedule logs each job at INFO
APP = bootstrap(process="chat")
ASSISTANT = install(APP)
