"""The operator's privacy tools, run as `touchbase` runs (bot.cli.main, in this process): the
privacy settings, erasure, access requests (export client), retention and the audit log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from bot import cli
from bot.core.model import AuditAction
from bot.db import repository as repo
from bot.db.engine import Database
from bot.devtools.standin import SlackStandIn
from tests.conftest import NOW, TEAM
from tests.helpers import add_client, add_touch

Touchbase = Callable[..., tuple[int, str]]


@pytest.fixture
def touchbase(
    slack: SlackStandIn,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Touchbase:
    for key in ("SLACK_APP_TOKEN", "TOUCHBASE_RECAP_CHANNEL", "TOUCHBASE_TIMEZONE"):
        monkeypatch.delenv(key, raising=False)
    for key, value in {
        "SLACK_BOT_TOKEN": "xoxb-cli-test",
        "SLACK_SIGNING_SECRET": "cli-secret",
        "SLACK_API_URL": slack.api_url,
        "DATABASE_URL": database_url,
    }.items():
        monkeypatch.setenv(key, value)

    def run(*args: str) -> tuple[int, str]:
        code = cli.main(list(args))
        captured = capsys.readouterr()
        return code, captured.out + captured.err

    return run


def audited(db: Database) -> list[tuple[str, AuditAction, int | None, str]]:
    with db.transaction() as session:
        return [
            (e.actor, e.action, e.client_id, e.detail) for e in repo.audit_entries(session, TEAM)
        ]


def test_the_privacy_settings_are_shown_changed_and_audited(
    touchbase: Touchbase, db: Database
) -> None:
    code, out = touchbase("settings")
    assert code == 0
    lines = {line.split()[0]: line.split()[1] for line in out.splitlines()}
    assert (lines["recap_quotes"], lines["notes_visible_to"], lines["note_retention_days"]) == (
        "off",
        "team",
        "off",
    )
    assert touchbase("settings", "note_retention_days", "730")[0] == 0
    assert touchbase("settings", "notes_visible_to", "owners")[0] == 0
    assert touchbase("settings", "recap_quotes", "on")[0] == 0
    code, out = touchbase("settings", "note_retention_days", "off")
    assert "note_retention_days  off" in out
    assert touchbase("settings", "recap_quotes", "on")[0] == 0  # no change: nothing to audit
    assert touchbase("settings", "recap_quotes", "maybe") == (
        1,
        "touchbase: recap_quotes is on or off\n",
    )
    assert audited(db) == [
        ("cli", AuditAction.SETTING_CHANGED, None, "note_retention_days: off -> 730"),
        ("cli", AuditAction.SETTING_CHANGED, None, "notes_visible_to: team -> owners"),
        ("cli", AuditAction.SETTING_CHANGED, None, "recap_quotes: off -> on"),
        ("cli", AuditAction.SETTING_CHANGED, None, "note_retention_days: 730 -> off"),
    ]


def test_recap_quotes_on_quotes_a_review_but_never_a_claim_or_a_private_note(
    touchbase: Touchbase, db: Database
) -> None:
    week = NOW - dt.timedelta(days=4)
    acme = add_client(db, "Acme Insurance Group")
    maple = add_client(db, "Maple Grove Dentistry", owner="U0PRIYA")
    corner = add_client(db, "Corner Cafe")
    add_touch(db, acme, week, "reviewed their cover")
    add_touch(db, maple, week, "helped with the water damage claim", rep="U0PRIYA")
    add_touch(db, corner, week, "site visit, owner is unwell", rep="U0LEE", private=True)
    recap = ("recap", "--dry-run", "--now", NOW.isoformat(), "--channel", "C0RECAP")

    code, out = touchbase(*recap)
    assert code == 0
    assert "did a review with Acme Insurance Group\n" in out
    assert "checked in with Maple Grove Dentistry\n" in out
    assert "reviewed their cover" not in out and "claim" not in out

    touchbase("settings", "recap_quotes", "on")
    code, out = touchbase(*recap)
    assert "did a review with Acme Insurance Group: “reviewed their cover”" in out
    assert "checked in with Maple Grove Dentistry\n" in out
    assert "claim" not in out and "water" not in out
    assert "Corner Cafe" not in out.split("Worth a mention")[1].split("Renewals")[0]
    assert "unwell" not in out


def test_touchbase_audit_prints_one_entry_a_line_by_day_and_client(
    touchbase: Touchbase, db: Database
) -> None:
    acme = add_client(db, "Acme Insurance Group")
    bright = add_client(db, "Brightside Bakery", aliases=("BB",))
    with db.transaction(write=True) as session:
        two_days_ago = NOW - dt.timedelta(days=2)
        repo.audit(
            session,
            TEAM,
            "U0SAM",
            AuditAction.OWNER_CHANGED,
            acme.id,
            "owner U0SAM -> U0PRIYA",
            at=two_days_ago,
        )
        repo.audit(session, TEAM, "U0LEAD", AuditAction.ARCHIVED, bright.id, at=NOW)
        repo.audit(
            session,
            TEAM,
            "cli",
            AuditAction.SETTING_CHANGED,
            detail="recap_quotes: off -> on",
            at=NOW,
        )
        repo.audit(session, "T0OTHER", "cli", AuditAction.EXPORTED, detail="clients", at=NOW)
    assert touchbase("audit") == (
        0,
        "2026-11-21 15:00:00Z  U0SAM  owner_changed  client 1  owner U0SAM -> U0PRIYA\n"
        "2026-11-23 15:00:00Z  U0LEAD  archived  client 2\n"
        "2026-11-23 15:00:00Z  cli  setting_changed  -  recap_quotes: off -> on\n",
    )
    assert touchbase("audit", "--since", "2026-11-22")[1].count("\n") == 2
    assert touchbase("audit", "--client", "bb")[1] == (
        "2026-11-23 15:00:00Z  U0LEAD  archived  client 2\n"
    )
    # An erased client is known by its id alone.
    assert touchbase("audit", "--client", "1")[1].startswith("2026-11-21 15:00:00Z  U0SAM")
    assert touchbase("audit", "--client", "Nobody Ltd") == (
        1,
        "touchbase: no client is called “Nobody Ltd” (its name or an alias, in full); "
        "an erased client is known by its id alone, such as --client 12\n",
    )
    assert touchbase("audit", "--since", "2030-01-01") == (0, "No audit entries.\n")
    with pytest.raises(SystemExit) as exit_status:
        touchbase("audit", "--since", "yesterday")
    assert exit_status.value.code == 2
