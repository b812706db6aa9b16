"""Chainlit entry (`chainlit run app.py`, which `gt serve` starts). Thin: builds the chat
process's App and registers the web adapter's callbacks."""

from bootstrap import bootstrap
from web.chat import install

APP = bootstrap(process="chat")
ASSISTANT = install(APP)
