"""Rep profiles from users.info (bot.core.reps)."""

from __future__ import annotations

import datetime as dt

from bot.core.model import Rep
from bot.core.reps import rep_from_profile

NOW = dt.datetime(2026, 11, 23, 15, tzinfo=dt.UTC)


def test_a_profile_name_is_cleaned_and_kept_within_200_characters() -> None:
    user = {"id": "U0SAM", "tz": "Europe/London", "profile": {"display_name": "Sam\x00R " * 100}}
    rep = rep_from_profile("T1", user, None, NOW)
    assert rep.display_name == ("Sam R " * 34)[:200]
    assert len(rep.display_name) == 200 and "\x00" not in rep.display_name


def test_a_profile_keeps_the_reps_own_settings() -> None:
    known = Rep("T1", "U0SAM", "Old Name", paused_until=dt.date(2026, 12, 1))
    user = {"id": "U0SAM", "real_name": "Sam Rivera", "tz": "Nowhere/Else"}
    rep = rep_from_profile("T1", user, known, NOW)
    assert (rep.display_name, rep.tz, rep.paused_until) == (
        "Sam Rivera",
        "UTC",
        dt.date(2026, 12, 1),
    )
