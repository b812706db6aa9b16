"""The offline model: a deterministic pydantic-ai `FunctionModel` for the embedded default.

It understands a documented set of plain requests (`requests.py`, HELP), turns each into the
same tool calls the Anthropic model would make, and words the tools' results into short answers
(`answers.py`). It acts only on what the person typed: text inside records is shown, never
obeyed; what it cannot honour in a request it says, rather than dropping it.
"""

from agent.offline.model import offline_model, respond
from agent.offline.requests import HELP, plan

__all__ = ["HELP", "offline_model", "plan", "respond"]
