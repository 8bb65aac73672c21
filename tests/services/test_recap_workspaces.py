"""The weekly recap in OAuth mode: two workspaces installed through the install flow against the
stand-in, each recap posted to its own channel, with its own token, at Monday 09:00 in its own
zone; one workspace's revoked token or 429s never stop the other's."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from sqlalchemy import update

from bot import scheduler
from bot.core.model import WorkspaceSettings
from bot.db import repository as repo
from bot.db.engine import Database
from bot.db.schema import WorkspaceRow
from bot.services import recap
from tests.conftest import Clock
from tests.helpers import add_client, add_touch
from tests.slack.hosting import ONE, TWO, Hosted

# Monday 23 November 2026: 09:00 in London is 09:00 UTC; in New York, 14:00 UTC.
MONDAY = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
CHANNELS = {ONE: "C0ONEWINS", TWO: "C0TWOWINS"}
ZONES = {ONE: "Europe/London", TWO: "America/New_York"}


def set_up(hosted: Hosted, *, channels: dict[str, str] = CHANNELS) -> None:
    """Both workspaces installed, each with a week of work, its own zone and channel."""
    for team in (ONE, TWO):
        assert hosted.install(team)[0] == 200
        acme = add_client(hosted.deps.db, f"Acme of {team}", owner="U0SAM", team=team)
        add_touch(hosted.deps.db, acme, MONDAY - dt.timedelta(days=4), "reviewed their cover")
        with hosted.deps.db.transaction(write=True) as session:
            repo.save_workspace_settings(
                session,
                WorkspaceSettings(team, recap_channel=channels.get(team), timezone=ZONES[team]),
            )
        hosted.slack.add_channel(CHANNELS[team], name=f"wins-{team.lower()}", is_member=True)


def posts(hosted: Hosted) -> dict[str, str]:
    """Each recap posted: its channel, by the workspace whose token posted it."""
    found = {}
    for call in hosted.slack.calls_to("chat.postMessage"):
        if call.ok:
            [team] = [t for t in (ONE, TWO) if call.token in hosted.slack.tokens_of(t)]
            found[team] = call.params["channel"]
    return found


def test_each_workspace_gets_its_recap_at_nine_in_its_zone_with_its_own_token(
    hosted: Hosted,
) -> None:
    set_up(hosted)
    clock = hosted.deps.clock
    assert isinstance(clock, Clock)
    clock.now = MONDAY  # midnight UTC
    job = scheduler.RecapJob(hosted.deps)
    seen = []
    for quarter in range(4 * 16):  # to 15:45 UTC
        clock.now = MONDAY + dt.timedelta(minutes=15 * quarter)
        job()
        seen.append((clock.now.hour, clock.now.minute, dict(posts(hosted))))
    first = {team: next((h, m) for h, m, p in seen if team in p) for team in (ONE, TWO)}
    assert first == {ONE: (9, 0), TWO: (14, 0)}
    assert posts(hosted) == CHANNELS
    assert len(hosted.slack.messages(CHANNELS[ONE])) == 1
    assert len(hosted.slack.messages(CHANNELS[TWO])) == 1
    # Each workspace's post names only its own clients.
    assert "Acme of T0TWO" not in str(hosted.slack.messages(CHANNELS[ONE]))
    assert "Acme of T0ONE" not in str(hosted.slack.messages(CHANNELS[TWO]))


def test_a_workspace_with_no_recap_channel_is_skipped_and_the_other_posts(
    hosted: Hosted, caplog: pytest.LogCaptureFixture
) -> None:
    set_up(hosted, channels={TWO: CHANNELS[TWO]})
    with caplog.at_level(logging.INFO, logger="bot"):
        reports = recap.run_due(hosted.deps, MONDAY, MONDAY + dt.timedelta(hours=15))
    assert [(r.team_id, r.outcome) for r in reports] == [(TWO, "sent")]
    skipped = [r.getMessage() for r in caplog.records if "no recap channel" in r.getMessage()]
    assert skipped == [f"workspace {ONE} has no recap channel, so its weekly recap is skipped"]
    assert posts(hosted) == {TWO: CHANNELS[TWO]}


def test_one_workspaces_revoked_token_never_stops_the_others_recap(hosted: Hosted) -> None:
    set_up(hosted)
    hosted.slack.revoke(ONE)
    reports = recap.run_due(hosted.deps, MONDAY, MONDAY + dt.timedelta(hours=15))
    assert [(r.team_id, r.outcome) for r in reports] == [(ONE, "failed"), (TWO, "sent")]
    assert posts(hosted) == {TWO: CHANNELS[TWO]}


def test_one_workspaces_429s_never_stop_the_others_recap(hosted: Hosted) -> None:
    set_up(hosted)
    # ONE goes first: its post and its three retries are all rate limited.
    hosted.slack.fail_next("chat.postMessage", status=429, retry_after=0, times=4)
    reports = recap.run_due(hosted.deps, MONDAY, MONDAY + dt.timedelta(hours=15))
    assert [(r.team_id, r.outcome) for r in reports] == [(ONE, "retry_later"), (TWO, "sent")]
    assert posts(hosted) == {TWO: CHANNELS[TWO]}


def test_one_workspaces_failure_never_stops_the_others_recap(
    hosted: Hosted, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    set_up(hosted)
    # Whatever goes wrong inside ONE's recap (here, a zone this machine no longer knows).
    with db.engine.begin() as connection:
        connection.execute(
            update(WorkspaceRow).where(WorkspaceRow.team_id == ONE).values(timezone="Gone/Nowhere")
        )
    with caplog.at_level(logging.INFO, logger="bot"):
        reports = recap.run_due(hosted.deps, MONDAY, MONDAY + dt.timedelta(hours=15))
    assert [(r.team_id, r.outcome) for r in reports] == [(TWO, "sent")]
    assert any(f"workspace {ONE}'s weekly recap failed" in r.getMessage() for r in caplog.records)
    assert posts(hosted) == {TWO: CHANNELS[TWO]}
