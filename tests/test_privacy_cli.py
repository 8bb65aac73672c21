"""The operator's privacy tools, run as `touchbase` runs (bot.cli.main, in this process): the
privacy settings, erasure, access requests (export client), retention and the audit log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import make_url

from bot import cli
from bot.core.model import AuditAction, Client, Kind, Tier
from bot.db import repository as repo
from bot.db import sqlite_file
from bot.db.engine import Database
from bot.db.schema import Base
from bot.devtools.standin import SlackStandIn
from bot.services import nudges
from tests.conftest import NOW, TEAM, WebApp
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


# Erasure. Distinctive strings, so a stray copy anywhere in the files is found.
ERASED_NAME = "Quillfeather Zebrawood Holdings"
ERASED_ALIAS = "Zebrawood Quill Alias"
ERASED_NOTES = ("xylophone vaccination 5521", "quokka mortgage arrears 9043")
KEPT_NOTE = "kept note about ordinary things"
SECRET_NOTE = "their daughter is ill"


def every_row(db: Database) -> str:
    """Every row of every table, as text."""
    with db.engine.connect() as connection:
        return "\n".join(
            str(row)
            for table in Base.metadata.sorted_tables
            for row in connection.execute(table.select())
        )


def erasable_book(web: WebApp) -> Client:
    """The client to erase, with everything Touchbase keeps about a client: touches, a snooze,
    a reminder in a morning note, a pending touch, and an older version of its row."""
    db = web.deps.db
    quill = add_client(db, ERASED_NAME, tier=Tier.A)
    add_client(db, "Quillfeather Zebrawood Logistics")
    other = add_client(db, "Acme Insurance Group")
    add_touch(db, other, NOW - dt.timedelta(days=3), KEPT_NOTE)
    for days, note in zip((90, 80), ERASED_NOTES, strict=True):
        add_touch(db, quill, NOW - dt.timedelta(days=days), note)
    with db.transaction(write=True) as session:
        repo.update_client(
            session,
            TEAM,
            quill.id,
            owner_id="U0SAM",
            tier=Tier.A,
            renewal_date=None,
            aliases=[ERASED_ALIAS],
            client_since=None,
        )
        repo.snooze(session, TEAM, quill.id, "U0PRIYA", dt.date(2026, 12, 1))
    assert nudges.run_pass(web.deps, NOW).sent == 1  # Quillfeather has gone quiet
    reply = web.command(f"quillfeather {ERASED_NOTES[0]} again")  # which one? a pending touch
    assert "Which one did you mean?" in reply["text"]
    return quill


def test_erase_client_leaves_no_row_and_no_freed_page_with_its_name_or_notes(
    touchbase: Touchbase, web: WebApp, database_url: str
) -> None:
    db = web.deps.db
    quill = erasable_book(web)
    assert ERASED_NAME in every_row(db)

    # Without --yes, nothing happens.
    code, out = touchbase("erase", "client", ERASED_ALIAS.lower())
    assert (code, out) == (
        2,
        f"touchbase: erasing removes {ERASED_NAME} (client {quill.id}) and everything about it "
        "for good; to go ahead, run it again with --yes\n",
    )
    assert ERASED_NAME in every_row(db)

    code, out = touchbase("erase", "client", ERASED_NAME, "--yes")
    assert code == 0, out
    first, *rest = out.splitlines()
    assert first == (
        f"Erased {ERASED_NAME} (client {quill.id}): 2 touches, 1 reminder, 1 snooze and 1 "
        f"pending touch. The audit log keeps only that client {quill.id} was erased."
    )
    # PostgreSQL frees the space later: the operator is told.
    assert [line.split(" keeps ")[0] for line in rest] == (
        ["PostgreSQL"] if db.dialect == "postgresql" else []
    )
    rows = every_row(db)
    for secret in (ERASED_NAME, ERASED_ALIAS, *ERASED_NOTES):
        assert secret.casefold() not in rows.casefold()
    assert KEPT_NOTE in rows and "Quillfeather Zebrawood Logistics" in rows
    assert audited(db) == [
        ("cli", AuditAction.ERASED, quill.id, "2 touches, 1 reminder, 1 snooze, 1 pending touch")
    ]
    assert touchbase("erase", "client", ERASED_NAME, "--yes") == (
        1,
        f"touchbase: no client is called “{ERASED_NAME}” (its name or an alias, in full)\n",
    )

    path = sqlite_file.path_of(make_url(database_url))
    if path is None:
        pytest.skip("PostgreSQL: dead tuples stay until VACUUM (see docs/privacy.md)")
    # The files as a crash would leave them, the web app's connections still open; then as a
    # clean stop leaves them, every connection closed.
    assert copies_in(path) == dict.fromkeys((ERASED_NAME, ERASED_ALIAS, *ERASED_NOTES), 0)
    db.dispose()
    assert copies_in(path) == dict.fromkeys((ERASED_NAME, ERASED_ALIAS, *ERASED_NOTES), 0)


def copies_in(path: Path) -> dict[str, int]:
    """How often each erased string appears in the bytes of the database file and its WAL."""
    files = [path, path.with_name(path.name + "-wal")]
    raw = b"".join(f.read_bytes() for f in files if f.exists()).lower()
    assert KEPT_NOTE.encode() in raw  # the reading finds what is there
    return {s: raw.count(s.lower().encode()) for s in (ERASED_NAME, ERASED_ALIAS, *ERASED_NOTES)}


def test_export_client_gives_its_row_a_blank_line_then_its_touches_and_is_audited(
    touchbase: Touchbase, db: Database
) -> None:
    acme = add_client(
        db, "Acme Insurance Group", aliases=("AIG",), tier=Tier.A, renewal=dt.date(2027, 3, 1)
    )
    other = add_client(db, "Brightside Bakery")
    add_touch(db, acme, dt.datetime(2026, 11, 20, 15, tzinfo=dt.UTC), "reviewed, their cover")
    add_touch(db, acme, dt.datetime(2026, 11, 21, 15, tzinfo=dt.UTC), SECRET_NOTE, private=True)
    add_touch(db, other, dt.datetime(2026, 11, 21, 15, tzinfo=dt.UTC), "not Acme's")
    with db.transaction(write=True) as session:
        repo.archive_client(session, TEAM, acme.id)  # an archived client is still theirs

    assert touchbase("export", "client", "aig") == (
        0,
        "name,owner,renewal_date,tier,aliases,client_since\n"
        "Acme Insurance Group,U0SAM,2027-03-01,A,AIG,\n"
        "\n"
        "client,rep,date,note,kind\n"
        'Acme Insurance Group,U0SAM,2026-11-20,"reviewed, their cover",value\n'
        f"Acme Insurance Group,U0SAM,2026-11-21,{SECRET_NOTE},value\n",
    )
    touchbase("export", "clients")
    touchbase("export", "touches")
    assert audited(db) == [
        ("cli", AuditAction.EXPORTED, acme.id, "client: 2 touches"),
        ("cli", AuditAction.EXPORTED, None, "clients: 1"),
        ("cli", AuditAction.EXPORTED, None, "touches: 1"),
    ]
    assert touchbase("export", "client") == (
        2,
        "touchbase: export client needs the client's name, such as: touchbase export client "
        '"Acme Insurance Group"\n',
    )
    assert touchbase("export", "client", "acme")[0] == 1


def test_retention_removes_the_text_of_old_notes_and_keeps_the_touches(
    touchbase: Touchbase, db: Database
) -> None:
    acme = add_client(db, "Acme Insurance Group")
    old, recent = NOW - dt.timedelta(days=731), NOW - dt.timedelta(days=729)
    add_touch(db, acme, old, SECRET_NOTE, follow_up_on=dt.date(2024, 12, 1))
    add_touch(db, acme, recent, KEPT_NOTE, kind=Kind.ROUTINE)
    when = ("--now", NOW.isoformat())

    assert touchbase("retention", *when) == (
        0,
        "Note retention is off in every workspace (touchbase settings note_retention_days 730 "
        "turns it on); no note was changed.\n",
    )
    touchbase("settings", "note_retention_days", "730")
    assert touchbase("retention", *when) == (
        0,
        f"{TEAM}: removed the text of 1 note older than 730 days.\n",
    )
    with db.transaction() as session:
        kept = [
            (t.occurred_at, t.note, t.kind, t.follow_up_on)
            for t in repo.client_touches(session, TEAM, acme.id)
        ]
    assert kept == [
        (old, "(note removed after 730 days)", Kind.VALUE, dt.date(2024, 12, 1)),
        (recent, KEPT_NOTE, Kind.ROUTINE, None),
    ]
    # Two days later, the second note's turn; a run with nothing to do is audited too.
    later = ("--now", (NOW + dt.timedelta(days=2)).isoformat())
    assert touchbase("retention", *later)[1] == (
        f"{TEAM}: removed the text of 1 note older than 730 days.\n"
    )
    assert touchbase("retention", *later)[1] == (
        f"{TEAM}: removed the text of 0 notes older than 730 days.\n"
    )
    assert [entry for entry in audited(db) if entry[1] is AuditAction.RETENTION] == [
        ("cli", AuditAction.RETENTION, None, "1 note older than 730 days"),
        ("cli", AuditAction.RETENTION, None, "1 note older than 730 days"),
        ("cli", AuditAction.RETENTION, None, "0 notes older than 730 days"),
    ]
    assert SECRET_NOTE not in every_row(db)
