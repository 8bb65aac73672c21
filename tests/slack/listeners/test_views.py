"""The log-touch form, end to end: opened from a morning note's "Log a touch" button, then
submitted as a signed view_submission to the real web app."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import delete

from bot.core.model import Client, Kind, Source
from bot.db import repository as repo
from bot.db.engine import Database
from bot.db.schema import ClientRow
from bot.devtools import slack_requests
from bot.devtools.standin import block_kit_problems, view_problems
from bot.services.nudges import run_pass
from bot.ui.digest import LOG_FROM_NUDGE
from tests.conftest import NOW, TEAM, Clock, WebApp
from tests.helpers import add_client, add_touch


def open_form(web: WebApp, client: Client, *, note_user: str = "U0SAM") -> dict[str, Any]:
    """Click "Log a touch" on the morning note; returns the modal Slack opened."""
    run_pass(web.deps, web.deps.clock())
    [note] = web.slack.dm_messages(note_user)
    block_id = f"nudge-actions:{client.id}"
    [block] = [b for b in note["blocks"] if b.get("block_id") == block_id]
    [button] = [e for e in block["elements"] if e["action_id"] == LOG_FROM_NUDGE]
    body = slack_requests.block_actions_body(
        user_id=note_user,
        team_id=TEAM,
        actions=[{**button, "block_id": block_id}],
        response_url=web.slack.response_url("log-click"),
        trigger_id="trig.form.1",
        message={"ts": note["ts"], "text": note["text"], "blocks": note["blocks"]},
        channel_id=note["channel"],
    )
    status, _ = web.post(body)
    assert status == 200
    web.slack.wait_for(lambda: bool(web.slack.opened_views))
    [view] = web.slack.opened_views
    assert view_problems(view, expected_type="modal") == []
    return view


def fill(
    view: dict[str, Any],
    *,
    note: str | None,
    day: str | None,
    kind: str | None = None,
    follow_up: str | None = None,
) -> dict[str, Any]:
    """view.state.values as Slack sends them when the rep submits `view` filled in so: the
    client as the form preselected it, the rest as given (kind None: left for the note)."""
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        action_id = element["action_id"]
        field: dict[str, Any] = {"type": element["type"]}
        if action_id == "client":
            field["selected_option"] = element.get("initial_option")
        elif action_id == "note":
            field["value"] = note
        elif action_id == "day":
            field["selected_date"] = day
        elif action_id == "kind":
            options = {o["value"]: o for o in element["options"]}
            field["selected_option"] = options[kind] if kind else None
        elif action_id == "follow_up":
            field["selected_date"] = follow_up
        values[block["block_id"]] = {action_id: field}
    return values


def submit(
    web: WebApp, view: dict[str, Any], values: dict[str, Any], *, user: str = "U0SAM"
) -> tuple[int, dict[str, Any] | None]:
    body = slack_requests.view_submission_body(
        user_id=user,
        team_id=TEAM,
        callback_id=view["callback_id"],
        state_values=values,
        private_metadata=view["private_metadata"],
        view_id=view["id"],
    )
    status, raw = web.post(body)
    return status, (json.loads(raw) if raw.strip() else None)


def seed(db: Database) -> Client:
    acme = add_client(db, "Acme Insurance Group")
    add_touch(db, acme, NOW - dt.timedelta(days=90))
    return acme


def logged(db: Database) -> list[tuple[str, str, Kind, Source, dt.datetime, dt.date | None]]:
    with db.transaction() as session:
        return [
            (t.rep_id, t.note, t.kind, t.source, t.occurred_at, t.follow_up_on)
            for t in repo.all_touches(session, TEAM)[1:]  # the seeded touch aside
        ]


def test_submitting_the_form_logs_the_touch_and_confirms_by_dm(web: WebApp, db: Database) -> None:
    acme = seed(db)
    view = open_form(web, acme)
    status, answer = submit(
        web, view, fill(view, note="Reviewed their fleet cover", day="2026-11-23")
    )
    assert (status, answer) == (200, None)  # the form closes

    web.slack.wait_for(lambda: len(web.slack.dm_messages("U0SAM")) == 2)
    confirmation = web.slack.dm_messages("U0SAM")[-1]
    assert "Logged a touch with *Acme Insurance Group*" in confirmation["text"]
    assert block_kit_problems(confirmation["blocks"], surface="message") == []
    [(rep, note, kind, source, occurred, follow_up)] = logged(db)
    assert (rep, note, kind, source, follow_up) == (
        "U0SAM",
        "Reviewed their fleet cover",
        Kind.VALUE,
        Source.MODAL,
        None,
    )
    assert occurred == NOW  # today: the moment it was logged

    # Acme has heard from Sam: tomorrow's /touch list leaves it out.
    assert "Acme" not in json.dumps(web.command("list"))


def test_the_forms_kind_day_and_follow_up_win(web: WebApp, db: Database) -> None:
    acme = seed(db)
    view = open_form(web, acme)
    status, answer = submit(
        web,
        view,
        fill(
            view,
            note="Called about their claim",
            day="2026-11-20",
            kind="routine",
            follow_up="2026-12-01",
        ),
    )
    assert (status, answer) == (200, None)
    web.slack.wait_for(lambda: len(web.slack.dm_messages("U0SAM")) == 2)
    confirmation = web.slack.dm_messages("U0SAM")[-1]["text"]
    assert "Counted as *routine*" in confirmation
    assert "follow up Tuesday 1 December" in confirmation
    [(_, _, kind, source, occurred, follow_up)] = logged(db)
    assert (kind, source, follow_up) == (Kind.ROUTINE, Source.MODAL, dt.date(2026, 12, 1))
    assert occurred == dt.datetime(2026, 11, 20, 17, tzinfo=dt.UTC)  # noon in New York


def test_an_empty_note_is_refused_inline_and_nothing_is_written(web: WebApp, db: Database) -> None:
    acme = seed(db)
    view = open_form(web, acme)
    for empty in (None, "", "   \n "):
        status, answer = submit(web, view, fill(view, note=empty, day="2026-11-23"))
        assert status == 200
        assert answer == {
            "response_action": "errors",
            "errors": {"note": "Add a few words about what happened."},
        }
    assert logged(db) == []
    assert len(web.slack.dm_messages("U0SAM")) == 1  # just the morning note


def test_a_future_day_is_refused_inline_and_nothing_is_written(web: WebApp, db: Database) -> None:
    acme = seed(db)
    view = open_form(web, acme)
    status, answer = submit(web, view, fill(view, note="Lunch with the owner", day="2026-11-24"))
    assert status == 200
    assert answer == {
        "response_action": "errors",
        "errors": {"day": "That day hasn't happened yet."},
    }
    # Both problems at once, and a reminder date that has passed.
    _, answer = submit(web, view, fill(view, note="", day="2026-11-30", follow_up="2026-11-23"))
    assert answer is not None and set(answer["errors"]) == {"note", "day", "follow_up"}
    assert logged(db) == []


def test_a_form_for_a_client_removed_meanwhile_says_so(
    web: WebApp, db: Database, clock: Clock
) -> None:
    acme = seed(db)
    view = open_form(web, acme)
    with db.transaction(write=True) as session:
        session.execute(delete(ClientRow).where(ClientRow.id == acme.id))
    status, answer = submit(web, view, fill(view, note="Called", day="2026-11-23"))
    assert (status, answer) == (200, None)
    web.slack.wait_for(lambda: len(web.slack.dm_messages("U0SAM")) == 2)
    assert web.slack.dm_messages("U0SAM")[-1]["text"] == "That client isn't in the book any more."
    with db.transaction() as session:
        assert repo.count_touches(session, TEAM) == 0


def test_a_tampered_form_is_refused_politely(web: WebApp, db: Database) -> None:
    acme = seed(db)
    view = open_form(web, acme)
    status, answer = submit(
        web, {**view, "private_metadata": "{not json"}, fill(view, note="x", day=None)
    )
    assert (status, answer) == (200, None)
    web.slack.wait_for(lambda: len(web.slack.dm_messages("U0SAM")) == 2)
    assert "expired" in web.slack.dm_messages("U0SAM")[-1]["text"]
    assert logged(db) == []
