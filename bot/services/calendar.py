"""Reps' private calendar feeds: making and revoking a rep's link, and building the feed a link
serves.

A link is TOUCHBASE_PUBLIC_URL/calendar/<token>.ics, the token 256 random bits. Only its SHA-256
is stored, so a link can be shown only when it is made, and making one replaces the rep's last.
An unknown or revoked token, a rep Slack says has left, and a workspace that removed the app all
get the same answer: no feed.

Calendar apps poll every few hours, so the feed's ETag is taken from its events in words before
anything is written out (bot.ui.calendar), and compared with the one last served: when it has
changed, the link's row remembers the new ETag and since when (Last-Modified, and the events'
DTSTAMP). Reading the feed writes only then.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from bot.core.calendar import feed_events
from bot.db import repository as repo
from bot.deps import Deps
from bot.ui import calendar as ui

log = logging.getLogger(__name__)

# 256 random bits, URL-safe: well past the 128 a guess would have to beat.
TOKEN_BYTES = 32
PATH_PREFIX = "/calendar/"
SUFFIX = ".ics"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_link(deps: Deps, team_id: str, user_id: str) -> str | None:
    """A new feed link for the rep, revoking their last; None without TOUCHBASE_PUBLIC_URL."""
    base = deps.settings.public_url
    if base is None:
        return None
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with deps.db.transaction(write=True) as session:
        repo.replace_calendar_link(session, team_id, user_id, hash_token(token), deps.clock())
    log.info("a new calendar link for rep %s; their last one, if any, is revoked", user_id)
    return f"{base}{PATH_PREFIX}{token}{SUFFIX}"


def revoke(deps: Deps, team_id: str, user_id: str) -> bool:
    """Whether the rep had a link, now revoked."""
    with deps.db.transaction(write=True) as session:
        revoked = repo.revoke_calendar_link(session, team_id, user_id)
    if revoked:
        log.info("revoked the calendar link of rep %s", user_id)
    return revoked


def link_view(deps: Deps, team_id: str, user_id: str) -> dict[str, Any]:
    """The Home tab's Get a calendar link: a new link, shown once in a modal."""
    return ui.link_view(new_link(deps, team_id, user_id))


@dataclass(frozen=True)
class Feed:
    """A feed's validators, and its body, written out only when asked for."""

    etag: str
    last_modified: dt.datetime
    body: Callable[[], bytes]


def feed(deps: Deps, token: str) -> Feed | None:
    """The feed behind a token as of now; None when there is none to serve."""
    token_hash = hash_token(token)
    now = deps.clock()
    with deps.db.transaction() as session:
        link = repo.calendar_link(session, token_hash)
        if link is None or repo.uninstalled_at(session, link.team_id) is not None:
            return None
        rep = repo.get_rep(session, link.team_id, link.user_id)
        if rep is not None and not rep.active:
            return None
        settings = repo.workspace_settings(session, link.team_id)
        activities = repo.client_activity(session, link.team_id, now, owners=[link.user_id])
        last_value = repo.last_value_touches(
            session, link.team_id, [a.client.id for a in activities], now
        )
    # A rep whose profile Slack hasn't given yet (a link made from the command line) has the
    # workspace's zone until it does.
    tz = ZoneInfo(
        rep.tz if rep is not None else settings.effective_timezone(deps.settings.defaults)
    )
    today = now.astimezone(tz).date()
    events = feed_events(link.user_id, activities, last_value, settings, today=today, tz=tz)
    alarm_days = settings.renewal_alarm_days
    entries = ui.entries(events, alarm_days)
    etag = ui.etag(entries, alarm_days)
    changed_at = link.changed_at
    if etag != link.etag or changed_at is None:
        # HTTP dates have whole seconds: a second's fraction would fail If-Modified-Since.
        changed_at = now.replace(microsecond=0)
        with deps.db.transaction(write=True) as session:
            repo.calendar_feed_changed(session, token_hash, etag, changed_at)
    stamp = changed_at
    return Feed(etag, changed_at, lambda: ui.ics(entries, alarm_days=alarm_days, stamp=stamp))
