"""What makes the Chainlit server RO Tracker's own and keeps it quiet: the page's name, logo
and style (public/, .chainlit/config.toml, chainlit.md), the "LLMs can make mistakes" line
only when a language model answers, uploads under the var directory, and a log that speaks
only when something is wrong.

Chainlit reads `public/logo_light.*`, `public/logo_dark.*` and `public/favicon.*` from the
project folder (server.py `get_logo`, `get_favicon`); the page's CSS, title and description
come from `config.ui`, read on every page load, so they can be set here at start.
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

from config import Settings

PUBLIC = Path(__file__).resolve().parents[1] / "public"  # what Chainlit serves as /public
STYLE = "/public/ro-tracker.css"  # the page's style: our colours, the logo's size
OFFLINE_STYLE = "/public/ro-tracker-offline.css"  # the same, without the LLM disclaimer
DESCRIPTION = "RO Tracker: the repair-order desk's assistant"
FILES_DIR_NAME = "chat-files"  # under GT_VAR_DIR; Chainlit empties it when it stops

# Chainlit's messages that say nothing to the person running the server: a missing logo (we
# ship one; the message still fires for a theme we do not know), the welcome text in the
# browser's language (we have one, in English), the address (`gt serve` prints it in its box).
CHAINLIT_NOISE = (
    "Missing custom logo",
    "Translated markdown file for",
    "Your app is available at",
    "Created default translation",
    "Config file already exists",
    "Running in CI mode",  # `chainlit run` reads CI=true from the environment (test machines)
)
# Loggers that report routine work at INFO: heard from only at WARNING in the chat process.
# "jobs" is every job's: on the embedded default they run in the chat process, and a scheduled
# Excel sync's "Rewrote the workbook" every few minutes is no news on the person's terminal.
ROUTINE = ("apscheduler", "dramatiq", "jobs")


class _DropNoise(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not message.startswith(CHAINLIT_NOISE)


def quiet_logs() -> None:
    """The chat process logs warnings and errors, and no routine chatter. Idempotent."""
    chainlit_log = logging.getLogger("chainlit")
    if not any(isinstance(f, _DropNoise) for f in chainlit_log.filters):
        chainlit_log.addFilter(_DropNoise())
    for name in ROUTINE:
        logging.getLogger(name).setLevel(logging.WARNING)


def uses_language_model(settings: Settings) -> bool:
    """A language model answers only with an Anthropic key (agent/models.py); otherwise the
    deterministic offline model does, and a disclaimer about LLM mistakes would mislead."""
    return bool(settings.anthropic_api_key)


def files_directory(settings: Settings) -> Path:
    return settings.var_dir / FILES_DIR_NAME


def install(settings: Settings) -> Path:
    """Brand the page and move Chainlit's files directory under the var directory; returns
    that directory. Called once, at start, before the server takes requests."""
    import chainlit.config as cl_config
    import chainlit.server as cl_server

    quiet_logs()
    ui = cl_config.config.ui
    ui.custom_css = STYLE if uses_language_model(settings) else OFFLINE_STYLE
    ui.description = DESCRIPTION
    ui.custom_meta_image_url = "/logo?theme=light"
    ui.custom_meta_url = "/"

    # Chainlit keeps uploads and elements' data in FILES_DIRECTORY, a module constant set to
    # `.files` in the project folder (created when chainlit.config is imported). Every file we
    # write belongs under GT_VAR_DIR: point both modules that read it there (the session
    # reads it at each use, the server when it stops), and remove the empty one it made.
    directory = files_directory(settings)
    directory.mkdir(parents=True, exist_ok=True)
    default = cl_config.FILES_DIRECTORY
    cl_config.FILES_DIRECTORY = directory
    cl_server.FILES_DIRECTORY = directory
    if default != directory:
        with contextlib.suppress(OSError):  # not empty: someone else's; leave it alone
            default.rmdir()
    return directory
