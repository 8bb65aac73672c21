"""The workspace settings form, opened from the Home tab's Admin section: its view, and reading
a submission back into the values `touchbase settings` takes, for the core to check.

Pure. Each input's block and action ID is its setting's key, so the core's problem with a
value goes back inline under that input.

The time zone is typed, not picked: there are some 600 IANA zones and a static_select takes at
most 100 options, while an external_select would need the options endpoint to serve a search
over them; a typed name checked with zoneinfo takes any zone, and a wrong one gets words under
the field saying what is expected.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from slack_sdk.models.blocks import (
    ConversationFilter,
    ConversationSelectElement,
    InputBlock,
    InputInteractiveElement,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    StaticSelectElement,
    UserMultiSelectElement,
)
from slack_sdk.models.views import View

from bot.core.model import NoteReaders, WorkspaceSettings
from bot.core.workspace import DEFAULT, SETTINGS, shown
from bot.ui import text
from bot.ui.blocks import FormErrors
from bot.ui.ids import SETTINGS_VIEW

# The days settings, typed as numbers: key -> label.
_DAYS = {
    "cadence_a": text.SETTINGS_CADENCE_A,
    "cadence_b": text.SETTINGS_CADENCE_B,
    "cadence_c": text.SETTINGS_CADENCE_C,
    "cadence_untiered": text.SETTINGS_CADENCE_UNTIERED,
}
# The choices: key -> (label, [(value, words)]).
_CHOICES: dict[str, tuple[str, Sequence[tuple[str, str]]]] = {
    "date_order": (
        text.SETTINGS_DATE_ORDER,
        [("MDY", text.SETTINGS_MDY), ("DMY", text.SETTINGS_DMY)],
    ),
    "recap_quotes": (
        text.SETTINGS_RECAP_QUOTES,
        [("on", text.SETTINGS_QUOTES_ON), ("off", text.SETTINGS_QUOTES_OFF)],
    ),
    "notes_visible_to": (
        text.SETTINGS_NOTES_VISIBLE_TO,
        [
            (NoteReaders.TEAM.value, text.SETTINGS_NOTES_TEAM),
            (NoteReaders.OWNERS.value, text.SETTINGS_NOTES_OWNERS),
        ],
    ),
}
# What an optional field left empty means, as `touchbase settings` would be told.
_EMPTY = {
    "recap_channel": DEFAULT,
    "timezone": DEFAULT,
    "admins": DEFAULT,
    "holiday_country": "none",
    "note_retention_days": "off",
}


def _input(
    key: str, label: str, element: InputInteractiveElement, *, hint: str | None = None
) -> InputBlock:
    return InputBlock(block_id=key, label=label, element=element, hint=hint, optional=key in _EMPTY)


def _typed(
    settings: WorkspaceSettings, key: str, *, max_length: int = 6, placeholder: str | None = None
) -> PlainTextInputElement:
    value = shown(settings, key)
    return PlainTextInputElement(
        action_id=key,
        initial_value=None if value == _EMPTY.get(key) else value,
        max_length=max_length,
        placeholder=placeholder,
    )


def _radio(settings: WorkspaceSettings, key: str) -> InputBlock:
    label, choices = _CHOICES[key]
    options = [Option(value=value, label=words) for value, words in choices]
    now = shown(settings, key)
    element = RadioButtonsElement(
        action_id=key,
        options=options,
        initial_option=next((o for o in options if o.value == now), None),
    )
    return _input(key, label, element)


def settings_view(settings: WorkspaceSettings) -> dict[str, Any]:
    """The form, filled in with the workspace's stored settings."""
    hours = [Option(value=str(h), label=text.hour_label(h)) for h in range(24)]
    blocks = [
        _input(
            "recap_channel",
            text.SETTINGS_RECAP_CHANNEL,
            ConversationSelectElement(
                action_id="recap_channel",
                initial_conversation=settings.recap_channel,
                filter=ConversationFilter(include=["public", "private"], exclude_bot_users=True),
            ),
            hint=text.SETTINGS_RECAP_CHANNEL_HINT,
        ),
        _input(
            "timezone",
            text.SETTINGS_TIMEZONE,
            _typed(
                settings, "timezone", max_length=64, placeholder=text.SETTINGS_TIMEZONE_PLACEHOLDER
            ),
            hint=text.SETTINGS_TIMEZONE_HINT,
        ),
        _input(
            "nudge_hour",
            text.SETTINGS_NUDGE_HOUR,
            StaticSelectElement(
                action_id="nudge_hour",
                options=hours,
                initial_option=hours[settings.nudge_hour],
            ),
        ),
        *(_input(key, label, _typed(settings, key)) for key, label in _DAYS.items()),
        _input(
            "holiday_country",
            text.SETTINGS_HOLIDAYS,
            _typed(settings, "holiday_country", placeholder=text.SETTINGS_HOLIDAYS_PLACEHOLDER),
            hint=text.SETTINGS_HOLIDAYS_HINT,
        ),
        _radio(settings, "date_order"),
        _radio(settings, "recap_quotes"),
        _radio(settings, "notes_visible_to"),
        _input(
            "note_retention_days",
            text.SETTINGS_RETENTION,
            _typed(settings, "note_retention_days"),
            hint=text.SETTINGS_RETENTION_HINT,
        ),
        _input("renewal_alarm_days", text.SETTINGS_ALARM, _typed(settings, "renewal_alarm_days")),
        _input(
            "admins",
            text.SETTINGS_ADMINS,
            UserMultiSelectElement(
                action_id="admins", initial_users=sorted(settings.admins or ()) or None
            ),
            hint=text.SETTINGS_ADMINS_HINT,
        ),
    ]
    view = View(
        type="modal",
        callback_id=SETTINGS_VIEW,
        title=text.SETTINGS_TITLE,
        submit=text.SETTINGS_SUBMIT,
        close=text.FORM_CLOSE,
        blocks=blocks,
    )
    return view.to_dict()


def read_settings_form(state: Mapping[str, Any]) -> dict[str, str]:
    """Each setting in the submitted form as `touchbase settings` takes it (key -> value as
    typed), for the core to check. A setting whose input isn't in the form is left as it is,
    and an input that isn't a setting is ignored; a value of the wrong shape reads as one the
    core refuses."""
    raw: dict[str, str] = {}
    for key, inputs in state.items():
        entry = inputs.get(key) if key in SETTINGS and isinstance(inputs, Mapping) else None
        if not isinstance(entry, Mapping):
            continue
        value = _value(entry)
        raw[key] = _EMPTY.get(key, "") if value == "" else value
    return raw


# What a value of the wrong shape reads as: never a valid value of any setting.
_UNREADABLE = "?"


def _value(entry: Mapping[str, Any]) -> str:
    """An input's value as text: typed, picked from options, a channel, or users."""
    if "selected_users" in entry:
        users = entry["selected_users"] or []
        if not isinstance(users, list) or not all(isinstance(u, str) for u in users):
            return _UNREADABLE
        return ",".join(users)
    if "selected_option" in entry:
        option = entry["selected_option"] or {}
        value = option.get("value") if isinstance(option, Mapping) else None
    elif "selected_conversation" in entry:
        value = entry["selected_conversation"]
    else:
        value = entry.get("value")
    if value is None:
        return ""
    return value.strip() if isinstance(value, str) else _UNREADABLE


def settings_errors(problems: Mapping[str, str]) -> FormErrors:
    """The core's problems with the submitted values, under their inputs, in the form's words."""
    return FormErrors({key: text.setting_problem(key, p) for key, p in problems.items()})
