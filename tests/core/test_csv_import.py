"""CSV row validation for `touchbase import`, on plain values (no files, no Slack, no database)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from zoneinfo import ZoneInfo

from bot.core.csv_import import (
    CLIENT_COLUMNS,
    TOUCH_COLUMNS,
    RowError,
    Table,
    header_errors,
    person_keys,
    touch_identity,
    validate_clients,
    validate_touches,
)
from bot.core.model import Client, Kind, NewTouch, Source, Tier, Touch

UTC = dt.UTC
NOW = dt.datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # Monday 10:00 in New York, 00:00 Tue in Tokyo
PEOPLE: Mapping[str, str | None] = {"sam@example.com": "U0SAM", "ghost@example.com": None}
ACME = Client(id=1, team_id="T1", name="Acme Insurance Group", aliases=("AIG",))
BRIGHT = Client(id=2, team_id="T1", name="Brightside Bakery")


def table(header: tuple[str, ...], *rows: tuple[str, ...], first_line: int = 2) -> Table:
    return Table(
        header,
        tuple(
            (first_line + i, dict(zip(header, cells, strict=False))) for i, cells in enumerate(rows)
        ),
    )


def clients_table(*rows: tuple[str, ...]) -> Table:
    return table(CLIENT_COLUMNS, *rows)


def touches_table(*rows: tuple[str, ...]) -> Table:
    return table(TOUCH_COLUMNS, *rows)


def lines(errors: list[RowError]) -> list[int]:
    return [e.line for e in errors]


# Errors and headers


def test_a_row_error_reads_as_its_line() -> None:
    assert str(RowError(7, "the note is empty")) == "line 7: the note is empty"
    assert str(RowError(0, "can't read x.csv")) == "can't read x.csv"


def test_header_errors_name_missing_and_unknown_columns() -> None:
    assert header_errors(Table(CLIENT_COLUMNS, ()), ("name",), CLIENT_COLUMNS) == []
    assert header_errors(Table(("name",), ()), ("name",), CLIENT_COLUMNS) == []
    errors = header_errors(Table(("owner", "region"), ()), ("name",), CLIENT_COLUMNS)
    assert lines(errors) == [1, 1]
    assert errors[0].reason.startswith("the header is missing name;")
    assert errors[1].reason.startswith("unknown column region;")
    assert "name,owner,renewal_date,tier,aliases" in errors[0].reason


def test_person_keys_are_the_emails_lower_cased() -> None:
    t = clients_table(
        ("A", "Sam@Example.com"), ("B", "U0SAM"), ("C", ""), ("D", "not an email"), ("E",)
    )
    assert person_keys(t, "owner") == {"sam@example.com"}


# Clients


def test_valid_client_rows() -> None:
    t = clients_table(
        ("  Acme   Insurance Group ", "U0SAM", "2027-03-01", "a", " Acme ; AIG;;", "2019-04-01"),
        ("Brightside Bakery", "SAM@example.com", "", "", ""),
        ("Harbor Dental", "", "2027-1-5", "C"),
    )
    clients, errors = validate_clients(t, "T1", PEOPLE)
    assert errors == []
    acme, bright, harbor = clients
    assert acme.team_id == "T1"
    assert (acme.name, acme.owner_id, acme.tier, acme.renewal_date, acme.aliases) == (
        "Acme Insurance Group",
        "U0SAM",
        Tier.A,
        dt.date(2027, 3, 1),
        ("Acme", "AIG"),
    )
    # Anniversaries count from client_since; without it, from the day the client is added.
    assert (acme.client_since, bright.client_since) == (dt.date(2019, 4, 1), None)
    assert (bright.owner_id, bright.tier, bright.renewal_date, bright.aliases) == (
        "U0SAM",
        None,
        None,
        (),
    )
    assert (harbor.owner_id, harbor.tier, harbor.renewal_date) == (
        None,
        Tier.C,
        dt.date(2027, 1, 5),
    )


def test_every_bad_client_row_is_reported() -> None:
    t = clients_table(
        ("Good", "U0SAM", "", "", ""),
        ("Bad Date", "U0SAM", "2026-02-30", "", ""),
        ("Bad Tier", "U0SAM", "", "Z", ""),
        ("Ghost", "ghost@example.com", "", "", ""),
        ("   ", "U0SAM", "", "", ""),
        ("GOOD", "U0SAM", "", "", ""),
        ("Slack Name", "@sam", "", "", ""),
        ("x" * 201, "U0SAM", "", "", ""),
        ("Not A Date", "U0SAM", "next year", "", ""),
        ("Bad Since", "U0SAM", "", "", "", "2019-13-01"),
    )
    clients, errors = validate_clients(t, "T1", PEOPLE)
    assert [c.name for c in clients] == ["Good"]
    assert lines(errors) == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    reasons = [e.reason for e in errors]
    assert "2026-02-30" in reasons[0]
    assert "A, B, C or empty" in reasons[1]
    assert "ghost@example.com" in reasons[2]
    assert reasons[3] == "the name is empty"
    assert "already on line 2" in reasons[4]
    assert "@sam" in reasons[5]
    assert "200" in reasons[6]
    assert "next year" in reasons[7]
    assert reasons[8] == "client_since “2019-13-01” isn't a date; expected YYYY-MM-DD"


def test_a_row_with_several_problems_reports_each() -> None:
    t = clients_table(("", "nobody", "2026-02-30", "Q", ""))
    _, errors = validate_clients(t, "T1", PEOPLE)
    assert lines(errors) == [2, 2, 2, 2]


def test_client_header_problems_stop_before_the_rows() -> None:
    t = table(("owner", "colour"), ("U0SAM", "red"))
    clients, errors = validate_clients(t, "T1", PEOPLE)
    assert clients == []
    assert lines(errors) == [1, 1]


# Touches


def validate(t: Table, tz: str = "UTC") -> tuple[list[NewTouch], list[RowError]]:
    return validate_touches(t, "T1", [ACME, BRIGHT], PEOPLE, now=NOW, tz=ZoneInfo(tz))


def test_valid_touch_rows() -> None:
    t = touches_table(
        ("acme  insurance group", "U0SAM", "2026-11-20", "reviewed their cover", ""),
        ("aig", "sam@example.com", "2026-11-23", "sent the invoice", ""),
        ("Brightside Bakery", "U0PRIYA", "2026-11-01", "sent the invoice", "Value"),
        ("Brightside Bakery", "U0PRIYA", "2026-11-02", "  helped with their claim  ", "routine"),
    )
    new, errors = validate(t)
    assert errors == []
    assert [(n.client_id, n.rep_id, n.note, n.kind) for n in new] == [
        (1, "U0SAM", "reviewed their cover", Kind.VALUE),
        (1, "U0SAM", "sent the invoice", Kind.ROUTINE),
        (2, "U0PRIYA", "sent the invoice", Kind.VALUE),
        (2, "U0PRIYA", "helped with their claim", Kind.ROUTINE),
    ]
    assert all(n.team_id == "T1" and n.source is Source.IMPORT for n in new)
    assert all(n.logged_at == NOW and n.follow_up_on is None for n in new)
    assert new[0].occurred_at == dt.datetime(2026, 11, 20, 12, tzinfo=UTC)
    assert [n.about_problem for n in new] == [False, False, False, True]


def test_a_touch_date_is_noon_in_the_workspace_zone() -> None:
    t = touches_table(("Acme Insurance Group", "U0SAM", "2026-07-01", "reviewed their cover", ""))
    [tokyo], _ = validate(t, "Asia/Tokyo")
    assert tokyo.occurred_at == dt.datetime(2026, 7, 1, 3, tzinfo=UTC)
    [new_york], _ = validate(t, "America/New_York")
    assert new_york.occurred_at == dt.datetime(2026, 7, 1, 16, tzinfo=UTC)
    assert new_york.occurred_at.utcoffset() == dt.timedelta(0)


def test_the_future_is_judged_in_the_workspace_zone() -> None:
    t = touches_table(("Acme Insurance Group", "U0SAM", "2026-11-24", "reviewed their cover", ""))
    # At NOW it is already the 24th in Tokyo, but still the 23rd in New York.
    assert validate(t, "Asia/Tokyo")[1] == []
    [error] = validate(t, "America/New_York")[1]
    assert "2026-11-24 is in the future" in error.reason


def test_every_bad_touch_row_is_reported() -> None:
    t = touches_table(
        ("Acme Insurance Group", "U0SAM", "2026-11-20", "called", ""),
        ("Nowhere", "U0SAM", "2026-11-20", "called", ""),
        ("", "U0SAM", "2026-11-20", "called", ""),
        ("Acme Insurance Group", "", "2026-11-20", "called", ""),
        ("Acme Insurance Group", "ghost@example.com", "2026-11-20", "called", ""),
        ("Acme Insurance Group", "U0SAM", "", "called", ""),
        ("Acme Insurance Group", "U0SAM", "2026-02-30", "called", ""),
        ("Acme Insurance Group", "U0SAM", "2026-12-01", "called", ""),
        ("Acme Insurance Group", "U0SAM", "2026-11-20", " ", ""),
        ("Acme Insurance Group", "U0SAM", "2026-11-20", "called", "urgent"),
    )
    new, errors = validate(t)
    assert len(new) == 1
    assert lines(errors) == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    reasons = [e.reason for e in errors]
    assert "no client called “Nowhere”" in reasons[0]
    assert reasons[1] == "the client is empty"
    assert reasons[2] == "the rep is empty"
    assert "ghost@example.com" in reasons[3]
    assert reasons[4] == "the date is empty"
    assert "2026-02-30" in reasons[5]
    assert "future" in reasons[6]
    assert reasons[7] == "the note is empty"
    assert "urgent" in reasons[8]


def test_touch_header_needs_client_rep_date_and_note() -> None:
    t = table(("client", "rep", "kind"))
    new, errors = validate(t)
    assert new == []
    [error] = errors
    assert error.line == 1
    assert "missing date, note" in error.reason
    # kind may be left out.
    ok = table(("client", "rep", "date", "note"), ("AIG", "U0SAM", "2026-11-20", "lunch"))
    [touch], errors = validate(ok)
    assert (errors, touch.kind) == ([], Kind.VALUE)


def test_touch_identity_is_client_rep_local_day_and_note() -> None:
    ny = ZoneInfo("America/New_York")
    morning = NewTouch(
        "T1", 1, "U0SAM", dt.datetime(2026, 11, 20, 14, tzinfo=UTC), NOW, "called", Kind.VALUE,
        Source.IMPORT,
    )  # fmt: skip
    stored = Touch(
        7, "T1", 1, "U0SAM", dt.datetime(2026, 11, 20, 22, tzinfo=UTC), NOW, "called",
        Kind.ROUTINE, Source.SLASH,
    )  # fmt: skip
    # Same client, rep, local day and note: the same touch, whatever its kind or source.
    assert touch_identity(morning, ny) == touch_identity(stored, ny)
    assert touch_identity(morning, ny) == (1, "U0SAM", dt.date(2026, 11, 20), "called")
    # 22:00 UTC is already the next day in Tokyo.
    tokyo = ZoneInfo("Asia/Tokyo")
    assert touch_identity(morning, tokyo) != touch_identity(stored, tokyo)
