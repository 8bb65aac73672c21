"""GET (or HEAD) /calendar/<token>.ics: a rep's calendar feed, for calendar apps.

No Slack request: the token in the path is the secret, so it is never logged. A conditional
request (If-None-Match, else If-Modified-Since) is answered 304 while the feed is unchanged.
Whatever isn't a feed gets None back, and the web app answers it as it answers any unknown
path: the same 404 for a token that never was, one revoked, and a path that isn't a feed.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from email.utils import format_datetime, parsedate_to_datetime
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError

from bot.deps import Deps
from bot.services import calendar

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

log = logging.getLogger(__name__)

# The body, or None: no feed here.
FeedApp = Callable[["WSGIEnvironment", "StartResponse"], Iterable[bytes] | None]

_PATH = re.compile(
    re.escape(calendar.PATH_PREFIX) + r"([A-Za-z0-9_-]{22,128})" + re.escape(calendar.SUFFIX)
)


def feeds(deps: Deps) -> FeedApp:
    def serve(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes] | None:
        found = _PATH.fullmatch(environ.get("PATH_INFO", ""))
        if found is None:
            return None
        try:
            feed = calendar.feed(deps, found.group(1))
        except SQLAlchemyError as error:
            log.warning(
                "A calendar feed wasn't served: the database failed (%s)", type(error).__name__
            )
            start_response("503 Service Unavailable", [("Retry-After", "300")])
            return []
        if feed is None:
            return None
        headers = [
            ("ETag", f'"{feed.etag}"'),
            ("Last-Modified", format_datetime(feed.last_modified, usegmt=True)),
            # Kept by the calendar app only, and asked about again each time.
            ("Cache-Control", "private, no-cache"),
        ]
        if _unchanged(environ, feed):
            start_response("304 Not Modified", headers)
            return []
        body = feed.body()
        headers += [
            ("Content-Type", "text/calendar; charset=utf-8"),
            ("Content-Length", str(len(body))),
        ]
        start_response("200 OK", headers)
        return [] if environ.get("REQUEST_METHOD") == "HEAD" else [body]

    return serve


def _unchanged(environ: WSGIEnvironment, feed: calendar.Feed) -> bool:
    """Whether the calendar app has this feed already (RFC 9110, 13.1.2 and 13.1.3)."""
    tags = environ.get("HTTP_IF_NONE_MATCH")
    if tags is not None:
        theirs = {tag.strip().removeprefix("W/") for tag in tags.split(",")}
        return "*" in theirs or f'"{feed.etag}"' in theirs
    since = environ.get("HTTP_IF_MODIFIED_SINCE")
    if not since:
        return False
    try:
        when = parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False
    return when.tzinfo is not None and feed.last_modified <= when
