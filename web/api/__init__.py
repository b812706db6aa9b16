"""The HTTP API: the legacy JSON contract under /api, plus /health and /ready, on the same
server and App (composition root) as the chat.

`build(app)` makes the FastAPI application (one router per area: ros, inventory, ai_logs,
health; auth and errors shared). `install(app)` puts it in front of Chainlit, the way
web/entra.py does for the Microsoft sign-in: an ASGI middleware sends /api/*, /health and
/ready to the API and everything else to Chainlit — so Chainlit's catch-all page route, its
CORS settings and its cookie authentication never touch API requests.
"""

from __future__ import annotations

from anyio import to_thread
from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from jobs.app import App
from web.api import ai_logs, errors, health, inventory, limits, ros
from web.api.auth import ApiContext, build_limiter
from web.api.entra import access_tokens_for
from web.api.rendered import RenderedRepairOrders

OWN_PATHS = ("/health", "/ready")


def build(app: App, *, access_tokens: object | None = None) -> ASGIApp:
    api = FastAPI(
        title="RO Tracker API",
        version="1.0",
        description=(
            "The legacy GenThrust RO Tracker contract, authenticated. Send "
            "`Authorization: Bearer <token>` (a personal API token from `gt tokens create`, "
            "or an Entra access token for this app)."
        ),
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    if access_tokens is None:
        access_tokens = access_tokens_for(app.settings, app.users)
    api.state.api = ApiContext(
        app, build_limiter(app), access_tokens, RenderedRepairOrders(ros.to_legacy)
    )
    errors.install(api)
    api.include_router(health.router)
    api.include_router(ros.router)
    api.include_router(inventory.router)
    api.include_router(ai_logs.router)
    return limits.wrap(api, app.settings)


def is_api_path(path: str) -> bool:
    return path == "/api" or path.startswith("/api/") or path in OWN_PATHS


class ApiRoutes:
    """ASGI middleware in front of Chainlit: API paths go to the API application."""

    def __init__(self, app: ASGIApp, api: ASGIApp, threads: int | None = None):
        self.app, self.api, self.threads = app, api, threads

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and is_api_path(scope["path"]):
            if self.threads is not None:
                # The running loop's worker threads (sync routes, the token check), sized
                # once the loop exists: see `Settings.api_threads`.
                to_thread.current_default_thread_limiter().total_tokens = self.threads
                self.threads = None
            await self.api(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def install(app: App) -> None:
    """Serve the API from Chainlit's server (call before it starts, as app.py does)."""
    from chainlit.server import app as chainlit_app

    chainlit_app.add_middleware(ApiRoutes, api=build(app), threads=app.settings.api_threads)
