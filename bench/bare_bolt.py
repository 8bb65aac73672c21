"""The latency floor: a bare Bolt app whose `/touch` handler only acks, on the same server.

Same Bolt settings as Touchbase (signing secret, no token verification, the listener run on
the request's thread with `process_before_response`, so no 10 ms poll for the ack) and the
same waitress server from `bot.slack.web.make_server` with the same threads; no database, no
work after the ack. `/healthz` answers 200 so start-up can be timed the same way.

    SLACK_SIGNING_SECRET=... python -m bench.bare_bolt --port 3100
"""

from __future__ import annotations

import argparse
import logging
import os
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment


def create_wsgi_app(
    signing_secret: str, api_url: str | None = None, token: str | None = None
) -> WSGIApplication:
    from slack_bolt import Ack, App
    from slack_bolt.adapter.wsgi import SlackRequestHandler
    from slack_sdk import WebClient

    app = App(
        client=WebClient(token=token, base_url=api_url or "https://slack.com/api/"),
        signing_secret=signing_secret,
        token_verification_enabled=False,
        logger=logging.getLogger("bare"),
        process_before_response=True,
    )

    @app.command("/touch")
    def touch(ack: Ack, command: dict[str, Any]) -> None:
        ack()

    slack = SlackRequestHandler(app, path="/slack/events")

    def wsgi(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz":
            start_response("200 OK", [("Content-Type", "application/json")])
            return [b'{"status": "ok"}']
        return slack(environ, start_response)

    return wsgi


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bare_bolt")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=os.environ.get("TOUCHBASE_LOG_LEVEL", "INFO").upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    from bot.slack.web import make_server

    wsgi = create_wsgi_app(
        os.environ["SLACK_SIGNING_SECRET"],
        os.environ.get("SLACK_API_URL"),
        os.environ.get("SLACK_BOT_TOKEN"),
    )
    server = make_server(wsgi, port=args.port, host=args.host)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
