"""The page is RO Tracker's: the LLM disclaimer only with a language model, Chainlit's files
directory under GT_VAR_DIR, and a chat-process log without Chainlit's routine chatter."""

from __future__ import annotations

import logging

import chainlit.config as cl_config
import chainlit.server as cl_server
import pytest

from config import load_settings
from web import branding


@pytest.fixture
def restored():
    ui = cl_config.config.ui
    saved = (ui.custom_css, ui.description, cl_config.FILES_DIRECTORY, cl_server.FILES_DIRECTORY)
    yield
    ui.custom_css, ui.description, cl_config.FILES_DIRECTORY, cl_server.FILES_DIRECTORY = saved


@pytest.mark.parametrize(
    ("key", "style"), [("", branding.OFFLINE_STYLE), ("sk-test", branding.STYLE)]
)
def test_the_disclaimer_is_hidden_only_under_the_offline_model(
    tmp_path, restored, log_levels, key, style
):
    settings = load_settings(var_dir=tmp_path / "var", anthropic_api_key=key)
    files = branding.install(settings)
    assert cl_config.config.ui.custom_css == style
    hides = ".watermark" in (branding.PUBLIC / style.rsplit("/", 1)[1]).read_text()
    assert hides == (not key)
    assert files == tmp_path / "var" / "chat-files" and files.is_dir()
    assert cl_config.FILES_DIRECTORY == files == cl_server.FILES_DIRECTORY


@pytest.fixture
def log_levels():
    loggers = [logging.getLogger(name) for name in ("chainlit", *branding.ROUTINE)]
    saved = [(lg, lg.level, list(lg.filters)) for lg in loggers]
    yield
    for lg, level, filters in saved:
        lg.setLevel(level)
        lg.filters[:] = filters


def test_chainlits_routine_messages_are_dropped_and_its_warnings_kept(caplog, log_levels):
    branding.quiet_logs()
    log = logging.getLogger("chainlit")
    with caplog.at_level(logging.INFO):
        log.info("Missing custom logo. Falling back to default logo.")
        log.warning("Translated markdown file for de-DE not found. Defaulting to chainlit.md.")
        logging.getLogger("apscheduler.scheduler").info("Adding job tentatively -- it will be")
        logging.getLogger("jobs.excel.actor").info("excel_sync: Rewrote the workbook: 650 ROs")
        logging.getLogger("jobs.exports").warning("export_ro_file: the disk is full")
        log.warning("Something is really wrong")
    assert [r.getMessage() for r in caplog.records] == [
        "export_ro_file: the disk is full",
        "Something is really wrong",
    ]
