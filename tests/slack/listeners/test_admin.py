"""The Home tab's Admin section end to end: shown to admins alone, its settings form opened,
refused values explained under their inputs, and a crafted form from anyone else refused."""

from __future__ import annotations

from typing import Any

from bot.core.model import NoteReaders, WorkspaceSettings
from bot.db import repository as repo
from bot.devtools import slack_requests
from bot.ui.ids import HOME_SETTINGS, SETTINGS_VIEW
from bot.ui.render import blocks_to_text
from tests.conftest import TEAM, WebApp
from tests.slack.listeners.test_home import click, open_home, published
from tests.slack.listeners.test_modal import inputs, last_dm, opened, submit


def settings(web: WebApp) -> WorkspaceSettings:
    with web.deps.db.transaction() as session:
        return repo.workspace_settings(session, TEAM)


def admin_button(home: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        b["accessory"]
        for b in home["blocks"]
        if b.get("accessory", {}).get("action_id") == HOME_SETTINGS
    ]


def test_only_admins_see_the_admin_section(web: WebApp) -> None:
    web.slack.add_user("U0BOSS", name="boss", real_name="Bo Boss", is_admin=True)
    web.slack.add_user("U0NAMED", name="named", real_name="Nia Named")
    with web.deps.db.transaction(write=True) as session:
        repo.save_workspace_settings(
            session, WorkspaceSettings(TEAM, admins=frozenset({"U0NAMED"}))
        )
    for user, shown in (("U0SAM", False), ("U0BOSS", True), ("U0NAMED", True)):
        open_home(web, user=user)
        home = published(web.slack, user)
        assert bool(admin_button(home)) is shown, user
        assert ("Admin" in blocks_to_text(home["blocks"])) is shown, user


def test_an_admin_changes_the_settings_from_the_form(web: WebApp) -> None:
    web.slack.add_user("U0BOSS", name="boss", real_name="Bo Boss", is_admin=True)
    click(web, {"action_id": HOME_SETTINGS}, user="U0BOSS")
    view = opened(web.slack)
    assert view["callback_id"] == SETTINGS_VIEW
    fields = inputs(view)
    assert fields["recap_channel"]["type"] == "conversations_select"
    assert fields["timezone"]["type"] == "plain_text_input"
    assert fields["nudge_hour"]["initial_option"]["value"] == "9"
    assert fields["cadence_a"]["initial_value"] == "30"
    ack = submit(
        web,
        view,
        user="U0BOSS",
        recap_channel="C0WINS",
        timezone="Europe/London",
        nudge_hour="8",
        cadence_a="21",
        holiday_country="gb",
        date_order="DMY",
        notes_visible_to="owners",
        note_retention_days="730",
        admins=["U0PRIYA"],
    )
    assert ack is None
    saved = settings(web)
    assert (saved.recap_channel, saved.timezone, saved.nudge_hour, saved.cadence_a) == (
        "C0WINS",
        "Europe/London",
        8,
        21,
    )
    assert (saved.holiday_country, saved.date_order, saved.notes_visible_to) == (
        "GB",
        "DMY",
        NoteReaders.OWNERS,
    )
    assert (saved.note_retention_days, saved.admins) == (730, frozenset({"U0PRIYA"}))
    assert last_dm(web.slack, "U0BOSS")["text"] == "Saved the workspace settings."
    with web.deps.db.transaction() as session:
        entries = repo.audit_entries(session, TEAM)
    assert {e.actor for e in entries} == {"U0BOSS"}
    assert "timezone: default -> Europe/London" in {e.detail for e in entries}
    # The form opens again with what was saved.
    click(web, {"action_id": HOME_SETTINGS}, user="U0BOSS")
    again = inputs(opened(web.slack, 2))
    assert again["recap_channel"]["initial_conversation"] == "C0WINS"
    assert again["timezone"]["initial_value"] == "Europe/London"
    assert again["admins"]["initial_users"] == ["U0PRIYA"]


def test_refused_values_are_explained_under_their_inputs_and_nothing_changes(
    web: WebApp,
) -> None:
    web.slack.add_user("U0BOSS", name="boss", real_name="Bo Boss", is_admin=True)
    click(web, {"action_id": HOME_SETTINGS}, user="U0BOSS")
    view = opened(web.slack)
    ack = submit(
        web,
        view,
        user="U0BOSS",
        timezone="Mars/Olympus_Mons",
        cadence_b="0",
        holiday_country="XX",
        note_retention_days="5",
        nudge_hour="7",  # fine, but saved only with the rest
    )
    assert ack == {
        "response_action": "errors",
        "errors": {
            "timezone": "Mars/Olympus_Mons isn't a time zone; expected a name such as "
            "Europe/London",
            "cadence_b": "This should be a whole number from 1 to 730",
            "holiday_country": "XX isn't a country code the holidays calendar knows, such as US "
            "or GB",
            "note_retention_days": "This is off, or a whole number from 30 to 3650",
        },
    }
    assert settings(web) == WorkspaceSettings(TEAM)


def test_emptied_fields_go_back_to_their_defaults(web: WebApp) -> None:
    web.slack.add_user("U0BOSS", name="boss", real_name="Bo Boss", is_admin=True)
    with web.deps.db.transaction(write=True) as session:
        repo.save_workspace_settings(
            session,
            WorkspaceSettings(
                TEAM, recap_channel="C0WINS", timezone="Asia/Tokyo", holiday_country="US"
            ),
        )
    click(web, {"action_id": HOME_SETTINGS}, user="U0BOSS")
    view = opened(web.slack)
    ack = submit(web, view, user="U0BOSS", recap_channel=None, timezone=None, holiday_country=None)
    assert ack is None
    assert settings(web) == WorkspaceSettings(TEAM)


def test_anyone_else_is_refused_the_form_and_a_crafted_submission(web: WebApp) -> None:
    click(web, {"action_id": HOME_SETTINGS}, user="U0SAM")
    published(web.slack, "U0SAM")  # the home again, instead of a form
    assert web.slack.calls_to("views.open") == []
    body = slack_requests.view_submission_body(
        user_id="U0SAM",
        team_id=TEAM,
        callback_id=SETTINGS_VIEW,
        state_values={
            "admins": {"admins": {"type": "multi_users_select", "selected_users": ["U0SAM"]}},
            "cadence_a": {"cadence_a": {"type": "plain_text_input", "value": "1"}},
        },
    )
    status, raw = web.post(body)
    assert (status, raw) == (200, b"")
    assert last_dm(web.slack, "U0SAM")["text"] == (
        "Only admins can change the workspace settings; nothing was changed."
    )
    assert settings(web) == WorkspaceSettings(TEAM)
    with web.deps.db.transaction() as session:
        assert repo.audit_entries(session, TEAM) == []
