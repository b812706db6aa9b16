"""Several `gt serve` processes behind HAProxy (sticky by cookie), as the README's "Several chat
processes" runs them; used by bench/chat.py (`--processes N`) and the tests of #19.

    with chat_tier(env, processes=2, folder=tmp) as tier:
        tier.url          # the proxy: what browsers use
        tier.backends     # each process's own URL (tests pin a client to one)
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bench.chat import stop
from bench.common import PROJECT_DIR, checkout_env, free_port, wait_answering
from cli.proxy import haproxy_config


def haproxy_available() -> bool:
    return shutil.which("haproxy") is not None


@dataclass
class ChatTier:
    url: str
    backends: list[str]
    servers: list[subprocess.Popen] = field(default_factory=list)
    proxy: subprocess.Popen | None = None

    def serving_pids(self) -> list[int]:
        """The processes that serve Chainlit (`gt serve` runs it as a child)."""
        pids = []
        for server in self.servers:
            children = subprocess.run(
                ["pgrep", "-P", str(server.pid)], capture_output=True, text=True
            ).stdout.split()
            pids.append(int(children[0]) if children else server.pid)
        return pids


def start_serve(env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "cli", "serve", "--port", str(port), "--no-demo"],
        cwd=PROJECT_DIR,
        env=checkout_env(env),
        stdout=subprocess.DEVNULL,
        stderr=log.open("ab"),
        start_new_session=True,
    )


@contextlib.contextmanager
def chat_tier(env: dict[str, str], processes: int, folder: Path) -> Iterator[ChatTier]:
    """`processes` gt serve behind one HAProxy. They start one after another (each migrates
    the database first: one at a time). The proxy adds `X-GT-Server` (which process answered)."""
    folder.mkdir(parents=True, exist_ok=True)
    ports = [free_port() for _ in range(processes)]
    tier = ChatTier(url="", backends=[f"http://127.0.0.1:{p}" for p in ports])
    try:
        for i, (port, url) in enumerate(zip(ports, tier.backends, strict=True)):
            server = start_serve(env, port, folder / f"serve{i + 1}.log")
            tier.servers.append(server)
            wait_answering(url, server)
        listen = free_port()
        config = folder / "haproxy.cfg"
        config.write_text(
            haproxy_config(
                f"127.0.0.1:{listen}",
                [f"127.0.0.1:{p}" for p in ports],
                served_by_header=True,
            )
        )
        tier.proxy = subprocess.Popen(
            ["haproxy", "-f", str(config)],
            stdout=(folder / "haproxy.log").open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        tier.url = f"http://127.0.0.1:{listen}"
        wait_answering(tier.url, tier.proxy, 30)
        yield tier
    finally:
        if tier.proxy is not None:
            stop(tier.proxy)
        for server in tier.servers:
            stop(server)
