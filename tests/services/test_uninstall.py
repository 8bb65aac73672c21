"""After the app is uninstalled: nothing is sent, and the workspace's data is purged after the
grace period (TOUCHBASE_PURGE_AFTER_DAYS), or at once with `touchbase purge workspace`."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from bot import scheduler
from bot.core.model import Kind, Rep, WorkspaceSettings
from bot.db import repository as repo
from bot.db.engine import Database
from bot.db.schema import SLACK_BOTS, SLACK_INSTALLATIONS, SLACK_ORG_TEAMS, Base
from bot.deps import Deps
from bot.devtools.standin import SlackStandIn
from bot.services import recap, uninstall
from bot.services.nudges import run_pass
from tests.conftest import NOW, TEAM, Clock
from tests.helpers import add_client, add_touch

OTHER = "T0OTHER"
SCRIPT = str(Path(sys.executable).with_name("touchbase"))


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def team_tables() -> list[str]:
    """Every table with a team_id column, but the audit log (which outlives a purge)."""
    return [
        t.name
        for t in Base.metadata.sorted_tables
        if "team_id" in t.c and t.name not in repo.PURGE_KEEPS
    ]


def rows_of(db: Database, team: str) -> dict[str, int]:
    """How many rows of each team table carry `team`."""
    with db.transaction() as session:
        return {
            name: session.scalar(
                select(func.count())
                .select_from(Base.metadata.tables[name])
                .where(Base.metadata.tables[name].c.team_id == team)
            )
            or 0
            for name in team_tables()
        }


def fill(deps: Deps, team: str) -> None:
    """A row of the workspace in every table: a book, reps, settings, a digest sent with its
    nudges, a snooze, a pending touch, a flip's evidence and a calendar link."""
    db = deps.db
    acme = add_client(db, "Acme Insurance Group", owner="U0PRIYA", team=team)
    add_touch(db, acme, NOW - days(90), "reviewed their cover", rep="U0PRIYA")
    add_client(db, "Harbor Dental", owner="U0PRIYA", team=team)
    with db.transaction(write=True) as session:
        repo.save_workspace_settings(session, WorkspaceSettings(team, cadence_a=20))
        repo.save_rep(session, Rep(team, "U0SAM", "Sam Rivera", profile_refreshed_at=NOW))
        repo.save_rep(session, Rep(team, "U0PRIYA", "Priya Shah", profile_refreshed_at=NOW))
        repo.snooze(session, team, acme.id, "U0SAM", NOW.date() + days(7))
        repo.add_pending_touch(session, team, "U0SAM", "called about the claim", None, NOW)
        repo.add_kind_evidence(session, team, {"tasting"}, Kind.VALUE)
        repo.replace_calendar_link(session, team, "U0PRIYA", f"{team}-token-hash", NOW)
        # OAuth mode's stored install (slack_sdk's rows; their tokens are opaque here).
        install = {"client_id": "1.2", "app_id": "A0TOUCH", "team_id": team, "bot_token": "x"}
        at = NOW.replace(tzinfo=None)
        session.execute(insert(SLACK_BOTS).values(**install, installed_at=at))
        session.execute(
            insert(SLACK_INSTALLATIONS).values(**install, user_id="U0SAM", installed_at=at)
        )
        # Its link to an organization that installed Touchbase org-wide.
        session.execute(insert(SLACK_ORG_TEAMS).values(team_id=team, enterprise_id="E0ORG"))


def test_a_purge_leaves_no_row_of_the_workspace_in_any_table(
    deps: Deps, slack: SlackStandIn, db: Database
) -> None:
    fill(deps, TEAM)
    fill(deps, OTHER)
    report = run_pass(deps, NOW)
    # Priya's digest in the bot token's workspace; the other's waits for its own token.
    assert (report.sent, report.retry_later) == (1, 1)
    before = rows_of(db, TEAM)
    # The check is only as good as the data: every table holds some of the workspace's rows.
    assert all(before.values()), before
    others = rows_of(db, OTHER)

    report = uninstall.purge_workspace(db, TEAM, NOW)
    assert dict(report.rows) == before
    assert report.total == sum(before.values())
    assert set(rows_of(db, TEAM).values()) == {0}
    assert rows_of(db, OTHER) == others
    # The audit log outlives the purge, and says it happened, by whom, and how much.
    with db.transaction() as session:
        entries = repo.audit_entries(session, TEAM)
    assert [(e.actor, e.action, e.detail) for e in entries] == [
        ("cli", "purged", f"{report.total} rows")
    ]


def test_the_workspace_is_purged_once_the_grace_period_is_over(
    deps: Deps, slack: SlackStandIn, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    fill(deps, TEAM)
    fill(deps, OTHER)
    uninstall.uninstalled(deps, TEAM, NOW)
    # Within the grace period nothing is purged, and nothing is sent.
    assert uninstall.purge_expired(deps, NOW + days(30) - dt.timedelta(seconds=1)) == []
    assert [p.team_id for p in run_pass(deps, NOW).planned] == [OTHER]
    assert rows_of(db, TEAM)["client"] == 2

    caplog.set_level(logging.INFO, logger="bot.services.uninstall")
    [report] = uninstall.purge_expired(deps, NOW + days(30))
    assert (report.team_id, report.actor) == (TEAM, "scheduler")
    assert set(rows_of(db, TEAM).values()) == {0}
    assert rows_of(db, OTHER)["client"] == 2
    [line] = [r.getMessage() for r in caplog.records if "purged" in r.getMessage()]
    assert line == f"purged workspace {TEAM} (asked by the scheduler): {report.total} rows deleted"
    # The log names ids, never what was stored.
    assert "Acme" not in caplog.text and "claim" not in caplog.text


def test_a_workspace_that_came_back_is_never_purged(deps: Deps, db: Database) -> None:
    fill(deps, TEAM)
    uninstall.uninstalled(deps, TEAM, NOW)
    uninstall.seen(deps, TEAM, NOW + days(3))
    assert uninstall.purge_expired(deps, NOW + days(60)) == []
    assert rows_of(db, TEAM)["client"] == 2


def test_a_request_from_before_the_uninstall_doesnt_undo_it(deps: Deps) -> None:
    uninstall.uninstalled(deps, TEAM, NOW)
    uninstall.seen(deps, TEAM, NOW - dt.timedelta(seconds=1))
    uninstall.seen(deps, TEAM, NOW)
    with deps.db.transaction() as session:
        assert repo.uninstalled_teams(session) == {TEAM}


def test_the_grace_period_comes_from_the_settings(deps: Deps, db: Database) -> None:
    short = dataclasses.replace(
        deps, settings=dataclasses.replace(deps.settings, purge_after_days=7)
    )
    fill(deps, TEAM)
    uninstall.uninstalled(short, TEAM, NOW)
    assert uninstall.purge_expired(short, NOW + days(6)) == []
    assert len(uninstall.purge_expired(short, NOW + days(7))) == 1


def test_no_recap_is_posted_for_a_workspace_that_removed_the_app(
    deps: Deps, slack: SlackStandIn, db: Database
) -> None:
    fill(deps, TEAM)
    slack.add_channel("C0RECAP", name="team-wins", is_member=True)
    uninstall.uninstalled(deps, TEAM, NOW - days(1))
    assert recap.run(deps, NOW, channel="C0RECAP").outcome == "not_posted"
    assert slack.calls_to("chat.postMessage") == []


def test_the_scheduler_purges_once_a_day(deps: Deps, clock: Clock, db: Database) -> None:
    built = scheduler.build(deps, blocking=False)
    [job] = [j for j in built.get_jobs() if j.func is scheduler.purge_job]
    assert job.trigger.interval == dt.timedelta(days=1)  # type: ignore[attr-defined]
    fill(deps, TEAM)
    uninstall.uninstalled(deps, TEAM, NOW - days(31))
    scheduler.purge_job(deps)
    assert set(rows_of(db, TEAM).values()) == {0}


# touchbase purge workspace


def purge_cli(args: list[str], database_url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SCRIPT, "purge", "workspace", *args],
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DATABASE_URL": database_url},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_touchbase_purge_workspace_asks_for_yes_then_purges(
    deps: Deps, db: Database, database_url: str, tmp_path: Path
) -> None:
    fill(deps, TEAM)
    refused = purge_cli([TEAM], database_url, tmp_path)
    assert refused.returncode == 2
    assert refused.stdout == ""
    [line] = refused.stderr.splitlines()
    assert line == (
        f"touchbase: this deletes everything Touchbase stores for workspace {TEAM}, for good; "
        "to go ahead, run it again with --yes"
    )
    assert rows_of(db, TEAM)["client"] == 2

    done = purge_cli([TEAM, "--yes"], database_url, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        f"Purged workspace {TEAM}: 15 rows deleted (calendar_feed 1, client 2, client_summary 2, "
        "kind_evidence 1, pending_touch 1, rep 2, slack_bots 1, slack_installations 1, "
        "slack_org_teams 1, snooze 1, touch 1, workspace 1)."
    )
    assert set(rows_of(db, TEAM).values()) == {0}

    again = purge_cli([TEAM, "--yes"], database_url, tmp_path)
    assert again.returncode == 0
    assert again.stdout.strip() == f"Nothing was stored for workspace {TEAM}."


def test_touchbase_purge_workspace_refuses_something_that_isnt_a_workspace_id(
    database_url: str, tmp_path: Path
) -> None:
    result = purge_cli(["acme", "--yes"], database_url, tmp_path)
    assert result.returncode == 2
    assert "a workspace ID such as T0123ABCD" in result.stderr
