"""The workspace settings form on plain values: within Block Kit's limits, filled in with the
stored settings, and read back into the values the core checks."""

from __future__ import annotations

from bot.core.home import Home
from bot.core.model import NoteReaders, Week, WorkspaceSettings
from bot.core.workspace import SETTINGS, change_all
from bot.ui.home import home_view
from bot.ui.ids import HOME_CALENDAR, HOME_SETTINGS
from bot.ui.settings import read_settings_form, settings_errors, settings_view
from tests.core.test_home import NY, TODAY, activity, client, days_ago, rows_of
from tests.slack.listeners.test_modal import inputs, state_from
from tests.ui.checks import assert_view_fits

STORED = WorkspaceSettings(
    "T1",
    cadence_a=21,
    nudge_hour=7,
    holiday_country="GB",
    date_order="DMY",
    recap_quotes=True,
    notes_visible_to=NoteReaders.OWNERS,
    note_retention_days=365,
    recap_channel="C0WINS",
    timezone="Europe/London",
    admins=frozenset({"U0PRIYA", "U0ANN"}),
)


def test_the_form_fits_and_has_an_input_for_every_setting_it_offers() -> None:
    for stored in (WorkspaceSettings("T1"), STORED):
        view = settings_view(stored)
        assert_view_fits(view, "modal")
        fields = inputs(view)
        assert set(fields) <= set(SETTINGS)
        assert set(fields) >= {
            "recap_channel",
            "timezone",
            "nudge_hour",
            "cadence_a",
            "cadence_b",
            "cadence_c",
            "cadence_untiered",
            "holiday_country",
            "date_order",
            "recap_quotes",
            "notes_visible_to",
            "note_retention_days",
            "renewal_alarm_days",
            "admins",
        }
        # Every block and action ID is its setting's key: the core's problems go under it.
        assert all(e["action_id"] == key for key, e in fields.items())


def test_the_form_reads_back_as_the_settings_it_opened_with() -> None:
    for stored in (WorkspaceSettings("T1"), STORED):
        raw = read_settings_form(state_from(settings_view(stored)))
        assert change_all(stored, raw) == stored
        assert change_all(WorkspaceSettings("T1"), raw) == stored


def test_unset_values_open_empty_and_empty_fields_read_as_unset() -> None:
    fields = inputs(settings_view(WorkspaceSettings("T1")))
    assert "initial_conversation" not in fields["recap_channel"]
    assert "initial_value" not in fields["timezone"]
    assert "initial_value" not in fields["note_retention_days"]
    raw = read_settings_form(state_from(settings_view(STORED), recap_channel=None, admins=[]))
    assert (raw["recap_channel"], raw["admins"]) == ("default", "default")


def test_values_of_the_wrong_shape_or_inputs_not_offered_are_never_taken() -> None:
    state = {
        "admins": {"admins": {"type": "multi_users_select", "selected_users": "U0SAM"}},
        "timezone": {"timezone": {"type": "plain_text_input", "value": 7}},
        "colour": {"colour": {"type": "plain_text_input", "value": "blue"}},
        "cadence_a": {"other": {"type": "plain_text_input", "value": "3"}},
    }
    raw = read_settings_form(state)
    assert set(raw) == {"admins", "timezone"}
    problems = change_all(WorkspaceSettings("T1"), raw)
    assert isinstance(problems, dict) and set(problems) == {"admins", "timezone"}


def test_problems_are_in_the_forms_words() -> None:
    problems = change_all(WorkspaceSettings("T1"), {"nudge_hour": "25", "timezone": "Mars"})
    assert isinstance(problems, dict)
    assert dict(settings_errors(problems).errors) == {
        "nudge_hour": "This should be a whole number from 0 to 23",
        "timezone": "Mars isn't a time zone; expected a name such as Europe/London",
    }


def test_the_admin_section_comes_last_and_fits_a_large_book() -> None:
    rows = rows_of([activity(client(i, f"Client {i:03d}"), days_ago(100)) for i in range(1, 301)])
    view = home_view(Home(rows, Week(), calendar=True, admin=True), today=TODAY, tz=NY)
    assert_view_fits(view, "home")
    *_, calendar, divider, admin = view["blocks"]
    assert calendar["accessory"]["action_id"] == HOME_CALENDAR
    assert divider["type"] == "divider"
    assert admin["text"]["text"].startswith("*Admin*")
    assert admin["accessory"]["action_id"] == HOME_SETTINGS
    everyone = home_view(Home(rows, Week(), calendar=True), today=TODAY, tz=NY)
    assert "Admin" not in str(everyone)
