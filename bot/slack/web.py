"""The WSGI app: Slack's requests at /slack/events, and /healthz for the platform."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.db.engine import Database

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"


def create_wsgi_app(app: App, db: Database) -> WSGIApplication:
    slack = SlackRequestHandler(app, path=EVENTS_PATH)

    def wsgi(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == HEALTH_PATH and environ.get("REQUEST_METHOD") in {"GET", "HEAD"}:
            database = db.ping()
            body = json.dumps({"status": "ok" if database else "degraded", "database": database})
            status = "200 OK" if database else "503 Service Unavailable"
            start_response(status, [("Content-Type", "application/json")])
            return [body.encode()]
        return slack(environ, start_response)

    return wsgi


def make_server(
    wsgi: WSGIApplication, *, port: int, host: str = "0.0.0.0", threads: int = 16
) -> Any:
    """A waitress server: a production WSGI server with a thread pool, not Bolt's dev server.

    Bolt's built-in `app.start()` resets connections when a burst of requests arrives.
    """
    from waitress.server import create_server

    return create_server(
        wsgi,
        host=host,
        port=port,
        threads=threads,
        connection_limit=1000,
        backlog=1024,
        ident="touchbase",
        clear_untrusted_proxy_headers=True,
    )


def serve_http(wsgi: WSGIApplication, *, port: int, host: str = "0.0.0.0") -> None:
    server = make_server(wsgi, port=port, host=host)
    log.info("Touchbase is listening on http://%s:%s%s", host, server.effective_port, EVENTS_PATH)
    try:
        server.run()
    finally:
        server.close()
