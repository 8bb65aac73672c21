"""`touchbase import`: whole-file validation, upserts and idempotent touches, against the
stand-in (users.lookupByEmail, auth.test) and the real database."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from bot.config import Settings
from bot.core.model import Client, NewClient, Source, Status, Tier, Touch
from bot.db import repository as repo
from bot.db.engine import Database
from bot.deps import Deps
from bot.devtools.standin import SlackStandIn
from bot.services.importer import ImportResult, import_clients, import_touches
from bot.webapi import make_client
from tests.conftest import TEAM, make_settings
from tests.helpers import CREATED, add_client, add_touch, touches

CLIENTS_HEADER = "name,owner,renewal_date,tier,aliases\n"
TOUCHES_HEADER = "client,rep,date,note,kind\n"


def write(tmp_path: Path, content: str | bytes, name: str = "import.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def snapshot(db: Database, team: str = TEAM) -> tuple[list[Client], list[Touch]]:
    with db.transaction() as session:
        return repo.all_clients(session, team), repo.all_touches(session, team)


def clients_by_name(db: Database, team: str = TEAM) -> dict[str, Client]:
    return {c.name: c for c in snapshot(db, team)[0]}


def problems(result: ImportResult) -> list[tuple[int, str]]:
    return [(e.line, e.reason) for e in result.errors]


def counts(result: ImportResult) -> tuple[int, int, int]:
    return result.created, result.updated, result.unchanged


# Clients


def test_imports_a_good_clients_file(deps: Deps, slack: SlackStandIn, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        CLIENTS_HEADER
        + "Acme Insurance Group,U0SAM,2027-03-01,a,Acme; AIG\n"
        + "Brightside Bakery,priya@example.com,,,\n"
        + "  Northwind   Traders ,SAM@Example.COM,2026-12-15,C, NW ;North Wind; \n"
        + "Harbor Dental,,,b,\n",
    )
    result = import_clients(deps, path)
    assert problems(result) == []
    assert counts(result) == (4, 0, 0)
    clients = clients_by_name(deps.db)
    assert sorted(clients) == [
        "Acme Insurance Group",
        "Brightside Bakery",
        "Harbor Dental",
        "Northwind Traders",
    ]
    acme = clients["Acme Insurance Group"]
    assert (acme.owner_id, acme.tier, acme.renewal_date, acme.aliases) == (
        "U0SAM",
        Tier.A,
        dt.date(2027, 3, 1),
        ("Acme", "AIG"),
    )
    bright = clients["Brightside Bakery"]
    assert (bright.owner_id, bright.tier, bright.renewal_date, bright.aliases) == (
        "U0PRIYA",
        None,
        None,
        (),
    )
    north = clients["Northwind Traders"]
    assert (north.owner_id, north.tier, north.aliases) == ("U0SAM", Tier.C, ("NW", "North Wind"))
    harbor = clients["Harbor Dental"]
    assert (harbor.owner_id, harbor.tier) == (None, Tier.B)
    assert all(c.status is Status.ACTIVE and c.team_id == TEAM for c in clients.values())
    assert all(c.created_at == deps.clock() for c in clients.values())
    # Emails were resolved with users.lookupByEmail; user IDs were taken as given.
    looked_up = sorted(c.params["email"] for c in slack.calls_to("users.lookupByEmail"))
    assert looked_up == ["priya@example.com", "sam@example.com"]
    assert slack.not_implemented_calls == []


def test_clients_upsert_by_name_and_report_what_changed(deps: Deps, tmp_path: Path) -> None:
    acme = add_client(deps.db, "Acme Insurance Group", owner="U0PRIYA", tier=Tier.B)
    add_client(deps.db, "Brightside Bakery", aliases=("Bright",), tier=Tier.C)
    with deps.db.transaction(write=True) as session:
        repo.add_client(session, NewClient(TEAM, "Old Mill", status=Status.ARCHIVED), CREATED)
    path = write(
        tmp_path,
        CLIENTS_HEADER
        + "ACME insurance group,sam@example.com,2027-01-31,A,AIG\n"  # updated (and renamed)
        + "Brightside Bakery,U0SAM,,c,Bright\n"  # exactly as stored
        + "old mill,U0SAM,,,\n"  # updated, but stays archived
        + "Harbor Dental,U0PRIYA,,,\n",  # new
    )
    result = import_clients(deps, path)
    assert problems(result) == []
    assert counts(result) == (1, 2, 1)
    clients = clients_by_name(deps.db)
    assert sorted(clients) == [
        "ACME insurance group",
        "Brightside Bakery",
        "Harbor Dental",
        "old mill",
    ]
    updated = clients["ACME insurance group"]
    assert updated.id == acme.id
    assert updated.created_at == acme.created_at
    assert (updated.owner_id, updated.tier, updated.renewal_date, updated.aliases) == (
        "U0SAM",
        Tier.A,
        dt.date(2027, 1, 31),
        ("AIG",),
    )
    assert clients["old mill"].status is Status.ARCHIVED
    assert clients["old mill"].owner_id == "U0SAM"

    # The same file again changes nothing.
    before = snapshot(deps.db)
    again = import_clients(deps, path)
    assert problems(again) == []
    assert counts(again) == (0, 0, 4)
    assert snapshot(deps.db) == before


def test_a_broken_clients_file_lists_every_bad_row_and_writes_nothing(
    deps: Deps, tmp_path: Path
) -> None:
    add_client(deps.db, "Existing Client", tier=Tier.A, renewal=dt.date(2027, 2, 1))
    before = snapshot(deps.db)
    path = write(
        tmp_path,
        CLIENTS_HEADER  # line 1
        + "Good One,U0SAM,2027-01-01,A,\n"  # 2: fine
        + "Bad Date,U0SAM,2026-02-30,,\n"  # 3
        + "Bad Tier,U0SAM,,D,\n"  # 4
        + "Nobody Owns,nobody@example.com,,,\n"  # 5
        + ",U0SAM,,,\n"  # 6: empty name
        + "good  ONE,U0PRIYA,,,\n"  # 7: the same name as line 2
        + "Too Wide,U0SAM,,,,surprise\n"  # 8
        + '"Multi\nLine Name",U0SAM,,B,"one;\ntwo"\n'  # 9-11: fine, spans three lines
        + "\n"  # 12: blank lines are skipped
        + "After The Quote,U0SAM,2026-13-01,,\n"  # 13
        + "Existing Client,someone,,,\n",  # 14: neither an ID nor an email
    )
    result = import_clients(deps, path)
    assert counts(result) == (0, 0, 0)
    assert [e.line for e in result.errors] == [3, 4, 5, 6, 7, 8, 13, 14]
    reasons = dict(problems(result))
    assert "2026-02-30" in reasons[3] and "YYYY-MM-DD" in reasons[3]
    assert "tier" in reasons[4] and "D" in reasons[4]
    assert "nobody@example.com" in reasons[5]
    assert "name is empty" in reasons[6]
    assert "line 2" in reasons[7]
    assert "more cells than the header" in reasons[8]
    assert "2026-13-01" in reasons[13]
    assert "someone" in reasons[14]
    assert str(result.errors[0]).startswith("line 3: ")
    assert snapshot(deps.db) == before


def test_the_unknown_email_comes_from_the_stand_in(
    deps: Deps, slack: SlackStandIn, tmp_path: Path
) -> None:
    path = write(tmp_path, CLIENTS_HEADER + "Acme,ghost@example.com,,,\n")
    result = import_clients(deps, path)
    assert [e.line for e in result.errors] == [2]
    [call] = slack.calls_to("users.lookupByEmail")
    assert (call.params["email"], call.error) == ("ghost@example.com", "users_not_found")
    assert snapshot(deps.db) == ([], [])


def test_missing_header_columns_are_reported_on_line_1(deps: Deps, tmp_path: Path) -> None:
    result = import_clients(deps, write(tmp_path, "owner,tier\nU0SAM,A\n"))
    [(line, reason)] = problems(result)
    assert line == 1
    assert "missing name" in reason
    assert snapshot(deps.db) == ([], [])

    result = import_touches(deps, write(tmp_path, "client,rep\nAcme,U0SAM\n"))
    [(line, reason)] = problems(result)
    assert line == 1
    assert "missing date, note" in reason


def test_unknown_columns_are_reported_on_line_1(deps: Deps, tmp_path: Path) -> None:
    path = write(tmp_path, "name,owner,region\nAcme,U0SAM,North\n")
    [(line, reason)] = problems(import_clients(deps, path))
    assert line == 1
    assert "unknown column region" in reason
    assert snapshot(deps.db) == ([], [])


def test_an_empty_file_is_reported(deps: Deps, tmp_path: Path) -> None:
    for content in ("", "\n\n", ",,,\n"):
        result = import_clients(deps, write(tmp_path, content))
        [(line, reason)] = problems(result)
        assert line == 1
        assert "empty" in reason
    [(line, reason)] = problems(import_touches(deps, write(tmp_path, "")))
    assert "empty" in reason
    assert snapshot(deps.db) == ([], [])


def test_a_header_only_file_imports_nothing(deps: Deps, tmp_path: Path) -> None:
    result = import_clients(deps, write(tmp_path, CLIENTS_HEADER))
    assert (counts(result), problems(result)) == ((0, 0, 0), [])


def test_a_file_that_is_not_utf8_is_refused(deps: Deps, tmp_path: Path) -> None:
    path = write(tmp_path, (CLIENTS_HEADER + "Café Zoë,U0SAM,,,\n").encode("cp1252"))
    result = import_clients(deps, path)
    [error] = result.errors
    assert "UTF-8" in error.reason
    assert error.line == 2  # where the first byte that isn't UTF-8 is
    assert str(error).startswith("line 2: ")
    with_bom = b"\xef\xbb\xbf" + (CLIENTS_HEADER + "Acme,U0SAM,,,\nCafé,U0SAM,,,\n").encode(
        "cp1252"
    )
    [error] = import_clients(deps, write(tmp_path, with_bom)).errors
    assert error.line == 3
    assert snapshot(deps.db) == ([], [])


def test_a_missing_file_is_reported(deps: Deps, tmp_path: Path) -> None:
    [error] = import_clients(deps, tmp_path / "nope.csv").errors
    assert "nope.csv" in str(error)
    assert not str(error).startswith("line 0")  # the file as a whole, not a row


def test_a_utf8_file_with_a_byte_order_mark_imports(deps: Deps, tmp_path: Path) -> None:
    path = write(tmp_path, "\ufeff" + CLIENTS_HEADER + "Café Zoë,U0SAM,,A,\r\n")
    result = import_clients(deps, path)
    assert problems(result) == []
    assert counts(result) == (1, 0, 0)
    assert list(clients_by_name(deps.db)) == ["Café Zoë"]


def test_line_numbers_hold_in_an_excel_style_crlf_file(deps: Deps, tmp_path: Path) -> None:
    content = (
        CLIENTS_HEADER.replace("\n", "\r\n")
        + '"Acme\r\nInsurance",U0SAM,,,\r\n'  # 2-3
        + "\r\n"  # 4
        + "Bright,U0SAM,,Q,\r\n"  # 5
    )
    [error] = import_clients(deps, write(tmp_path, content)).errors
    assert error.line == 5


def test_an_unclosed_quote_is_reported(deps: Deps, tmp_path: Path) -> None:
    path = write(
        tmp_path, CLIENTS_HEADER + 'Acme,U0SAM,,,"oops\nBright,U0SAM,,,\nHarbor,U0SAM,,,\n'
    )
    [error] = import_clients(deps, path).errors
    assert error.line == 2  # where the quote opened, not the end of the file
    assert "malformed" in error.reason
    assert snapshot(deps.db) == ([], [])


# Touches


def test_imports_a_good_touches_file(deps: Deps, slack: SlackStandIn, tmp_path: Path) -> None:
    add_client(deps.db, "Acme Insurance Group", aliases=("AIG",))
    add_client(deps.db, "Brightside Bakery")
    path = write(
        tmp_path,
        TOUCHES_HEADER
        + "acme insurance group,U0SAM,2026-11-20,reviewed their cover,\n"
        + "Brightside Bakery,priya@example.com,2026-11-19,sent the invoice,\n"
        + "AIG,U0SAM,2026-11-18,called about the invoice,VALUE\n"
        + "Brightside Bakery,U0PRIYA,2026-11-23,helped with a water damage claim,routine\n",
    )
    result = import_touches(deps, path)
    assert problems(result) == []
    assert counts(result) == (4, 0, 0)
    assert touches(deps.db) == [
        ("Acme Insurance Group", "reviewed their cover", "value"),  # the classifier decided
        ("Brightside Bakery", "sent the invoice", "routine"),  # the classifier decided
        ("Acme Insurance Group", "called about the invoice", "value"),  # the file decided
        ("Brightside Bakery", "helped with a water damage claim", "routine"),
    ]
    _, stored = snapshot(deps.db)
    assert [t.rep_id for t in stored] == ["U0SAM", "U0PRIYA", "U0SAM", "U0PRIYA"]
    assert all(t.source is Source.IMPORT and t.team_id == TEAM for t in stored)
    assert all(t.logged_at == deps.clock() for t in stored)
    # A date is noon in the workspace's zone (UTC by default).
    assert stored[0].occurred_at == dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)
    assert [t.about_problem for t in stored] == [False, False, False, True]
    assert [c.params["email"] for c in slack.calls_to("users.lookupByEmail")] == [
        "priya@example.com"
    ]


def test_touch_dates_are_local_noon_in_the_workspace_zone(deps: Deps, tmp_path: Path) -> None:
    settings = dataclasses.replace(deps.settings, timezone="America/New_York")
    deps = dataclasses.replace(deps, settings=settings)
    add_client(deps.db, "Acme")
    path = write(tmp_path, TOUCHES_HEADER + "Acme,U0SAM,2026-11-20,reviewed their cover,\n")
    assert counts(import_touches(deps, path)) == (1, 0, 0)
    [touch] = snapshot(deps.db)[1]
    assert touch.occurred_at == dt.datetime(2026, 11, 20, 17, tzinfo=dt.UTC)
    assert touch.occurred_at.tzinfo is not None
    assert counts(import_touches(deps, path)) == (0, 0, 1)


def test_a_broken_touches_file_lists_every_bad_row_and_writes_nothing(
    deps: Deps, tmp_path: Path
) -> None:
    acme = add_client(deps.db, "Acme")
    add_touch(deps.db, acme, dt.datetime(2026, 11, 2, 15, tzinfo=dt.UTC), "kept")
    before = snapshot(deps.db)
    path = write(
        tmp_path,
        TOUCHES_HEADER  # 1
        + "Acme,U0SAM,2026-11-20,reviewed their cover,\n"  # 2: fine
        + "Nowhere Ltd,U0SAM,2026-11-20,called,\n"  # 3: unknown client
        + "Acme,U0SAM,2026-11-24,called,\n"  # 4: tomorrow (NOW is 2026-11-23)
        + "Acme,U0SAM,2026-11-20,   ,\n"  # 5: empty note
        + "Acme,U0SAM,2026-11-20,called,urgent\n"  # 6: bad kind
        + "Acme,ghost@example.com,2026-11-20,called,\n"  # 7: unknown rep
        + "Acme,,2026-11-20,called,\n"  # 8: no rep
        + "Acme,U0SAM,20/11/2026,called,\n"  # 9: not YYYY-MM-DD
        + "Acme,U0SAM,,called,\n"  # 10: no date
        + ",U0SAM,2026-11-20,called,\n",  # 11: no client
    )
    result = import_touches(deps, path)
    assert counts(result) == (0, 0, 0)
    assert [e.line for e in result.errors] == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    reasons = dict(problems(result))
    assert "Nowhere Ltd" in reasons[3]
    assert "future" in reasons[4]
    assert "note is empty" in reasons[5]
    assert "urgent" in reasons[6]
    assert "ghost@example.com" in reasons[7]
    assert "rep is empty" in reasons[8]
    assert "20/11/2026" in reasons[9]
    assert "date is empty" in reasons[10]
    assert "client is empty" in reasons[11]
    assert snapshot(deps.db) == before


def test_a_row_with_several_problems_lists_each(deps: Deps, tmp_path: Path) -> None:
    path = write(tmp_path, TOUCHES_HEADER + "Nowhere,nobody,2026-02-30,,often\n")
    result = import_touches(deps, path)
    assert [e.line for e in result.errors] == [2] * 5


def test_importing_the_same_touches_twice_adds_nothing(deps: Deps, tmp_path: Path) -> None:
    add_client(deps.db, "Acme", aliases=("AIG",))
    add_client(deps.db, "Brightside Bakery")
    path = write(
        tmp_path,
        TOUCHES_HEADER
        + "Acme,U0SAM,2026-11-20,reviewed their cover,\n"
        + "Brightside Bakery,priya@example.com,2026-11-19,sent the invoice,\n"
        + "Brightside Bakery,priya@example.com,2026-11-19,sent the invoice,\n"  # repeated
        + "Acme,U0SAM,2026-11-21,reviewed their cover,\n",  # another day: a new touch
    )
    first = import_touches(deps, path)
    assert counts(first) == (3, 0, 1)
    after_first = snapshot(deps.db)
    second = import_touches(deps, path)
    assert problems(second) == []
    assert counts(second) == (0, 0, 4)
    assert snapshot(deps.db) == after_first
    # The same touch named by an alias and an email is still the same touch.
    other = write(
        tmp_path, TOUCHES_HEADER + "aig,sam@example.com,2026-11-20,reviewed their cover,\n"
    )
    assert counts(import_touches(deps, other)) == (0, 0, 1)
    assert len(snapshot(deps.db)[1]) == 3


# The workspace


def test_the_workspace_is_the_bot_tokens(deps: Deps, db: Database, tmp_path: Path) -> None:
    """Rows carry the team_id auth.test reports, whatever workspace that is."""
    with SlackStandIn(team_id="T0ELSEWHERE") as other:
        other.add_user("U0KIM", name="kim", email="kim@example.com")
        settings: Settings = make_settings(other, deps.settings.database_url)
        elsewhere = Deps(settings, db, make_client(settings, timeout=5), deps.clock)
        clients = write(tmp_path, CLIENTS_HEADER + "Acme,kim@example.com,,,\n", "clients.csv")
        assert counts(import_clients(elsewhere, clients)) == (1, 0, 0)
        touches_file = write(
            tmp_path, TOUCHES_HEADER + "Acme,U0KIM,2026-11-20,called,\n", "touches.csv"
        )
        assert counts(import_touches(elsewhere, touches_file)) == (1, 0, 0)
        assert len(other.calls_to("auth.test")) == 1  # asked once, then known
    [client] = snapshot(db, "T0ELSEWHERE")[0]
    assert (client.team_id, client.owner_id) == ("T0ELSEWHERE", "U0KIM")
    [touch] = snapshot(db, "T0ELSEWHERE")[1]
    assert touch.team_id == "T0ELSEWHERE"
    assert snapshot(db, TEAM) == ([], [])
    # The touches import only sees its own workspace's clients.
    add_client(db, "Brightside Bakery")
    stray = write(tmp_path, TOUCHES_HEADER + "Acme,U0SAM,2026-11-20,called,\n", "stray.csv")
    [(line, reason)] = problems(import_touches(deps, stray))
    assert line == 2 and "Acme" in reason


def test_the_default_workspace_comes_from_auth_test(
    deps: Deps, slack: SlackStandIn, tmp_path: Path
) -> None:
    result = import_clients(deps, write(tmp_path, CLIENTS_HEADER + "Acme,U0SAM,,,\n"))
    assert counts(result) == (1, 0, 0)
    [call] = slack.calls_to("auth.test")
    assert call.ok and call.token == deps.settings.bot_token
    assert [c.team_id for c in snapshot(deps.db)[0]] == [slack.team_id]


# What PostgreSQL can't store is reported by line or cleaned, on every database


def test_names_too_long_to_keep_are_reported_by_line(deps: Deps, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        CLIENTS_HEADER
        + "Acme Insurance Group,U0SAM,,,\n"
        + f"{'x' * 201},U0SAM,,,\n"
        + f"{'Straße ' * 28},U0SAM,,,\n"
        + f"Harbor Dental,U0SAM,,,HD;{'y' * 201}\n"
        + f"Brightside Bakery,U{'X' * 40},,,\n",
    )
    result = import_clients(deps, path)
    assert problems(result) == [
        (3, "the name is too long (at most 200 characters)"),
        (4, "the name is too long (at most 200 characters)"),
        (5, "the alias “yyyyyyyyyy…” is too long (at most 200 characters)"),
        (6, f"owner “U{'X' * 40}” should be a Slack user ID (U…) or an email"),
    ]
    assert snapshot(deps.db) == ([], [])


def test_control_characters_are_cleaned_from_names_and_notes(deps: Deps, tmp_path: Path) -> None:
    clients = write(
        tmp_path,
        CLIENTS_HEADER + "Acme\x00Insurance\x1fGroup,U0SAM,,,AIG\x00;\x07\n",
        name="clients.csv",
    )
    assert problems(import_clients(deps, clients)) == []
    assert [(c.name, c.aliases) for c in snapshot(deps.db)[0]] == [
        ("Acme Insurance Group", ("AIG",))
    ]
    notes = write(
        tmp_path,
        TOUCHES_HEADER + 'AIG,U0SAM,2026-11-20,"reviewed\x00 their cover\r\nthen\x1b lunch",\n',
        name="touches.csv",
    )
    result = import_touches(deps, notes)
    assert problems(result) == []
    assert touches(deps.db) == [
        ("Acme Insurance Group", "reviewed their cover\nthen lunch", "value")
    ]
    # The cleaned note is the one stored, so the same file again adds nothing.
    assert counts(import_touches(deps, notes)) == (0, 0, 1)
