"""The App Home's decisions, on plain values: the order of the book and the week."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from bot.core.home import book, week_start
from bot.core.model import Client, ClientActivity, Tier, WorkspaceSettings

NY = ZoneInfo("America/New_York")
# Monday 23 November 2026, 10:00 in New York.
NOW = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 23)
SETTINGS = WorkspaceSettings(team_id="T1")
CREATED = dt.datetime(2025, 1, 6, 12, tzinfo=dt.UTC)


def client(
    id: int, name: str, *, renewal: dt.date | None = None, tier: Tier | None = None
) -> Client:
    return Client(
        id, "T1", name, owner_id="U0SAM", tier=tier, renewal_date=renewal, created_at=CREATED
    )


def days_ago(days: int) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


def activity(
    c: Client, last: dt.datetime | None = None, value: dt.datetime | None = None
) -> ClientActivity:
    return ClientActivity(client=c, last_touch_at=last, last_value_at=value)


def rows_of(activities: list[ClientActivity], snoozed: dict[int, dt.date] | None = None) -> Any:
    return book("U0SAM", activities, SETTINGS, snoozed or {}, now=NOW, today=TODAY, tz=NY)


def test_the_book_puts_renewals_then_overdue_then_due_then_the_rest() -> None:
    fine = client(1, "Fine Foods")
    new = Client(2, "T1", "Newcomer Ltd", owner_id="U0SAM", created_at=days_ago(3))
    due = client(3, "Due Dental")
    overdue = client(4, "Overdue Optics")
    renewing = client(5, "Renewing Roofers", renewal=dt.date(2026, 12, 20))
    rows = rows_of(
        [
            activity(fine, days_ago(3), days_ago(3)),
            activity(new),
            activity(due, days_ago(70), days_ago(70)),
            activity(overdue, days_ago(100), days_ago(100)),
            # Touched last week, but only with paperwork: the renewal still needs value.
            activity(renewing, days_ago(6), None),
        ]
    )
    assert [r.client.name for r in rows] == [
        "Renewing Roofers",
        "Overdue Optics",
        "Due Dental",
        "Newcomer Ltd",  # never touched: first of the rest
        "Fine Foods",
    ]
    assert [r.item is not None for r in rows] == [True, True, True, False, False]
    assert rows[0].renewal_on == dt.date(2026, 12, 20)
    assert rows[3].days_since_touch is None


def test_the_week_starts_on_monday_at_midnight_in_the_reps_zone() -> None:
    assert week_start(NOW, NY) == dt.datetime(2026, 11, 23, 5, 0, tzinfo=dt.UTC)
    sunday_night = dt.datetime(2026, 11, 23, 3, 0, tzinfo=dt.UTC)  # 22:00 Sunday in New York
    assert week_start(sunday_night, NY) == dt.datetime(2026, 11, 16, 5, 0, tzinfo=dt.UTC)
