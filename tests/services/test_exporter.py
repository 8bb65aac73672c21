"""`touchbase export`: the import formats exactly, and a round trip through `touchbase import`
that changes nothing, through the services and once through the real command."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete

from bot.core.model import Kind, Tier
from bot.db import migrate
from bot.db import repository as repo
from bot.db.engine import Database
from bot.db.schema import ClientRow
from bot.deps import Deps
from bot.devtools.standin import SlackStandIn
from bot.services.exporter import export_clients, export_touches
from bot.services.importer import import_clients, import_touches
from bot.webapi import make_client
from tests.conftest import TEAM, Clock, make_settings
from tests.helpers import add_client, add_touch

ZONE = "America/New_York"


@pytest.fixture
def deps(slack: SlackStandIn, db: Database, database_url: str, clock: Clock) -> Deps:
    settings = make_settings(slack, database_url, timezone=ZONE)
    return Deps(settings=settings, db=db, slack=make_client(settings, timeout=5), clock=clock)


def seed(db: Database) -> None:
    acme = add_client(
        db,
        "Acme Insurance Group",
        aliases=("Acme", "AIG"),
        tier=Tier.A,
        renewal=dt.date(2027, 3, 14),
        since=dt.date(2019, 4, 1),
    )
    # Able Co's alias is Brightside Bakery's name: the name must win when touches come back.
    add_client(db, "Able Co", aliases=("Brightside Bakery",), owner="U0PRIYA")
    bright = add_client(db, "Brightside Bakery", owner=None)
    gone = add_client(db, "Gone Ltd")
    with db.transaction(write=True) as session:
        repo.archive_client(session, TEAM, gone.id)
    add_touch(db, gone, dt.datetime(2026, 11, 2, 15, tzinfo=dt.UTC), "left out: archived")
    # 03:30 UTC on the 20th is the evening of the 19th in New York.
    add_touch(
        db,
        acme,
        dt.datetime(2026, 11, 20, 3, 30, tzinfo=dt.UTC),
        'Called re: "claim",\nthen emailed',
    )
    # Routine though the note reads as value-adding: the kind is written out, not re-read.
    add_touch(
        db, acme, dt.datetime(2026, 11, 20, 17, tzinfo=dt.UTC), "reviewed cover", kind=Kind.ROUTINE
    )
    add_touch(db, bright, dt.datetime(2026, 11, 21, 17, tzinfo=dt.UTC), "dropped by", rep="U0PRIYA")
    add_touch(db, bright, dt.datetime(2026, 11, 21, 18, tzinfo=dt.UTC), "dropped by", rep="U0PRIYA")


def exported(deps: Deps) -> tuple[str, str]:
    clients, touches = io.StringIO(), io.StringIO()
    export_clients(deps, clients)
    export_touches(deps, touches)
    return clients.getvalue(), touches.getvalue()


def book(db: Database) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """Everything an export carries, with names instead of IDs and days in the zone."""
    with db.transaction() as session:
        clients = repo.active_clients(session, TEAM)
        names = {c.id: c.name for c in clients}
        touches = repo.all_touches(session, TEAM)
    zone = ZoneInfo(ZONE)
    return (
        [(c.name, c.aliases, c.owner_id, c.tier, c.renewal_date, c.client_since) for c in clients],
        sorted(
            (names[t.client_id], t.rep_id, t.occurred_at.astimezone(zone).date(), t.note, t.kind)
            for t in touches
            if t.client_id in names
        ),
    )


def test_the_export_is_in_exactly_the_import_formats(deps: Deps) -> None:
    seed(deps.db)
    clients, touches = exported(deps)
    assert clients == (
        "name,owner,renewal_date,tier,aliases,client_since\n"
        "Able Co,U0PRIYA,,,Brightside Bakery,\n"
        "Acme Insurance Group,U0SAM,2027-03-14,A,Acme;AIG,2019-04-01\n"
        "Brightside Bakery,,,,,\n"
    )
    assert touches == (
        "client,rep,date,note,kind\n"
        'Acme Insurance Group,U0SAM,2026-11-19,"Called re: ""claim"",\nthen emailed",value\n'
        "Acme Insurance Group,U0SAM,2026-11-20,reviewed cover,routine\n"
        "Brightside Bakery,U0PRIYA,2026-11-21,dropped by,value\n"
        "Brightside Bakery,U0PRIYA,2026-11-21,dropped by,value\n"
    )


def test_importing_an_export_changes_nothing(deps: Deps, tmp_path: Path) -> None:
    seed(deps.db)
    before = book(deps.db)
    clients, touches = exported(deps)
    (tmp_path / "clients.csv").write_text(clients, encoding="utf-8")
    (tmp_path / "touches.csv").write_text(touches, encoding="utf-8")
    result = import_clients(deps, tmp_path / "clients.csv")
    assert (result.errors, result.created, result.updated, result.unchanged) == ([], 0, 0, 3)
    result = import_touches(deps, tmp_path / "touches.csv")
    assert (result.errors, result.created, result.unchanged) == ([], 0, 4)
    assert book(deps.db) == before


def test_an_export_brings_the_whole_book_back(deps: Deps, tmp_path: Path) -> None:
    seed(deps.db)
    before = book(deps.db)
    clients, touches = exported(deps)
    (tmp_path / "clients.csv").write_text(clients, encoding="utf-8")
    (tmp_path / "touches.csv").write_text(touches, encoding="utf-8")
    with deps.db.transaction(write=True) as session:
        session.execute(delete(ClientRow))  # touches go with their clients
    assert book(deps.db) == ([], [])
    assert import_clients(deps, tmp_path / "clients.csv").created == 3
    assert import_touches(deps, tmp_path / "touches.csv").created == 3  # the twins are one
    clients_after, touches_after = book(deps.db)
    assert clients_after == before[0]
    assert touches_after == sorted(set(before[1]))


def test_the_commands_round_trip(tmp_path: Path, slack: SlackStandIn) -> None:
    database = tmp_path / "cli.db"
    db = Database.from_url(f"sqlite:///{database}")
    try:
        migrate.upgrade(db.engine)
        seed(db)
    finally:
        db.dispose()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "SLACK_BOT_TOKEN": "xoxb-cli-test",
        "SLACK_SIGNING_SECRET": "cli-secret",
        "DATABASE_URL": f"sqlite:///{database}",
        "SLACK_API_URL": slack.api_url,
        "TOUCHBASE_TIMEZONE": ZONE,
    }

    def touchbase(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", *args],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )

    for what, count in (("clients", 3), ("touches", 4)):
        export = touchbase("export", what)
        assert export.returncode == 0, export.stderr
        assert "Traceback" not in export.stderr
        assert len(export.stdout.splitlines()) == count + 1 + (what == "touches")  # a 2-line note
        path = tmp_path / f"{what}.csv"
        path.write_text(export.stdout, encoding="utf-8")
        imported = touchbase("import", what, str(path))
        assert imported.returncode == 0, imported.stderr
        assert f"0 new, 0 updated, {count} already there" in imported.stdout
