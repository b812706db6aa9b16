"""`gt proxy haproxy`: the reverse-proxy configuration for several chat processes (#19).

Chainlit keeps each chat's socket session (and the uploads and button presses that refer to it)
in the process that accepted it, so a browser must keep talking to one process: HAProxy inserts a
cookie naming the process on the first answer and routes by it from then on (sticky sessions).
Everything else — conversations, pending confirmations, drafts, users' sessions — is in the
database and Redis, so any process serves a resumed chat, and a process that stops only makes
its browsers reconnect to another one (`option redispatch`).
"""

from __future__ import annotations

from typing import Annotated

import typer

from cli.common import handles_errors, out

proxy_cli = typer.Typer(no_args_is_help=True, help="Reverse-proxy configuration.")
COOKIE = "GT_SERVER"


def haproxy_config(listen: str, backends: list[str], *, served_by_header: bool = False) -> str:
    """An HAProxy 2.x configuration: `listen` (host:port) in front of `backends` (host:port,
    each a `gt serve`), sticky by cookie, health-checked on /health."""
    if not backends:
        raise ValueError("name at least one backend (host:port of a gt serve)")
    servers = "\n".join(
        f"    server chat{i} {address} cookie chat{i} check inter 2s fall 2 rise 1"
        for i, address in enumerate(backends, 1)
    )
    served_by = "    http-response set-header X-GT-Server %[srv_name]\n" if served_by_header else ""
    return f"""global
    maxconn 4096

defaults
    mode http
    option forwardfor
    timeout connect 5s
    timeout client 1h
    timeout server 1h
    # socket.io websockets stay open for a whole chat
    timeout tunnel 1h
    retries 2
    option redispatch

frontend chat
    bind {listen}
    default_backend chat_processes

backend chat_processes
    # a request without the cookie (a new chat, an API call) goes to the least busy process:
    # API calls are short and many, and one process busy for a moment must not queue them
    balance leastconn
    # sticky sessions: the cookie names the process that holds the browser's chat socket
    cookie {COOKIE} insert indirect nocache httponly
    option httpchk GET /health
{served_by}{servers}
"""


@proxy_cli.command("haproxy")
@handles_errors
def haproxy(
    backend: Annotated[
        list[str], typer.Option("--backend", "-b", help="host:port of a gt serve (repeat).")
    ],
    listen: Annotated[str, typer.Option(help="Where the proxy listens.")] = "0.0.0.0:8000",
) -> None:
    """Print an HAProxy configuration for several `gt serve` processes behind one address."""
    out.print(haproxy_config(listen, backend), markup=False, highlight=False, soft_wrap=True)
