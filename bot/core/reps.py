"""Rep profiles from Slack's users.info, and when to refresh them."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping
from typing import Any

from bot.core.model import MAX_NAME, Rep
from bot.core.user_text import clean_line

PROFILE_MAX_AGE = dt.timedelta(hours=24)


def needs_refresh(rep: Rep | None, now: dt.datetime) -> bool:
    return (
        rep is None
        or rep.profile_refreshed_at is None
        or now - rep.profile_refreshed_at >= PROFILE_MAX_AGE
    )


def valid_zone(name: str | None) -> str:
    """Slack's `tz`, or UTC when it is missing or unknown to this machine."""
    return name if name and known_zone(name) else "UTC"


def known_zone(name: str) -> bool:
    """Whether `name` is an IANA time zone this machine knows, such as Europe/London."""
    try:
        zoneinfo.ZoneInfo(name)
    # OSError: with the tzdata package installed (icalendar needs it), a folder's name such as
    # "America" is read as a file, and fails as one.
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def rep_from_profile(
    team_id: str, user: Mapping[str, Any], known: Rep | None, now: dt.datetime
) -> Rep:
    """Merge a users.info `user` object into what we know, keeping the rep's own settings."""
    profile = user.get("profile") or {}
    name = (
        profile.get("display_name")
        or profile.get("real_name")
        or user.get("real_name")
        or user.get("name")
        or (known.display_name if known else "")
    )
    return Rep(
        team_id=team_id,
        user_id=str(user["id"]),
        # Kept in the database's MAX_NAME characters, whatever Slack allows.
        display_name=clean_line(str(name))[:MAX_NAME],
        tz=valid_zone(user.get("tz")),
        paused_until=known.paused_until if known else None,
        active=not user.get("deleted", False),
        is_admin=bool(user.get("is_admin") or user.get("is_owner")),
        profile_refreshed_at=now,
    )
