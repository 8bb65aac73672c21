"""Changing a workspace's settings: which ones exist, and what values make sense."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.core.dates import DATE_ORDERS
from bot.core.model import NoteReaders, WorkspaceSettings
from bot.core.reps import known_zone
from bot.core.rules import valid_country
from bot.core.user_text import is_channel_id, is_user_id


@dataclass(frozen=True)
class SettingSpec:
    meaning: str
    low: int = 0
    high: int = 0
    # How an unset value (None) reads.
    unset: str = "none"


# Every setting a workspace can change, with its meaning; numbers are in days unless noted.
SETTINGS: dict[str, SettingSpec] = {
    "cadence_a": SettingSpec("days of silence before a tier A client has gone quiet", 1, 730),
    "cadence_b": SettingSpec("days of silence before a tier B client has gone quiet", 1, 730),
    "cadence_c": SettingSpec("days of silence before a tier C client has gone quiet", 1, 730),
    "cadence_untiered": SettingSpec(
        "days of silence before a client with no tier has gone quiet", 1, 730
    ),
    "renewal_window_days": SettingSpec("how many days before a renewal to start reminding", 1, 365),
    "nudge_hour": SettingSpec("the local hour (0-23) at which morning notes go out", 0, 23),
    "renudge_days": SettingSpec("days before the same reminder may come again", 1, 90),
    "claim_check_days": SettingSpec("days after a claim or problem to ask how it went", 1, 90),
    "date_order": SettingSpec("how /touch reads 11/12: MDY (12 November) or DMY (11 December)"),
    "holiday_country": SettingSpec(
        "a country code (such as US or GB) whose public holidays get no notes, or 'none'"
    ),
    "recap_quotes": SettingSpec(
        "on: the weekly recap may quote a short note (never a private one, never about a claim)"
    ),
    "notes_visible_to": SettingSpec(
        "team: everyone reads notes that aren't private; owners: only the note's author, "
        "the client's owner and admins"
    ),
    "note_retention_days": SettingSpec(
        "days after which a note's text is removed (the touch stays), or 'off'", 30, 3650, "off"
    ),
    "renewal_alarm_days": SettingSpec(
        "days before a renewal that its event in the reps' calendar feeds rings (0: that day)",
        0,
        90,
    ),
    "recap_channel": SettingSpec(
        "the weekly recap's channel ID, such as C0123ABCD; 'default': TOUCHBASE_RECAP_CHANNEL "
        "(single workspace), else no recap",
        unset="default",
    ),
    "timezone": SettingSpec(
        "the workspace's time zone, such as Europe/London, for the recap and CSV dates; "
        "'default': TOUCHBASE_TIMEZONE (single workspace), else UTC",
        unset="default",
    ),
    "admins": SettingSpec(
        "Slack user IDs, comma-separated, who are admins besides Slack's admins and owners; "
        "'default': TOUCHBASE_ADMINS (single workspace), else nobody more",
        unset="default",
    ),
}
# What puts a setting back to its default (for the three that have one from the environment).
DEFAULT = "default"


def change(settings: WorkspaceSettings, key: str, raw: str) -> WorkspaceSettings | str:
    """The settings with one value changed, or a sentence saying what's wrong."""
    spec = SETTINGS.get(key)
    if spec is None:
        return f"there is no setting called {key}; the settings are {', '.join(SETTINGS)}"
    value = raw.strip()
    if spec.unset == DEFAULT and value.lower() in {"", DEFAULT}:
        unset: dict[str, Any] = {key: None}
        return dataclasses.replace(settings, **unset)
    match key:
        case "recap_channel":
            if not is_channel_id(value):
                return f"{value} isn't a channel ID; expected one such as C0123ABCD, not a name"
            return dataclasses.replace(settings, recap_channel=value)
        case "timezone":
            if not known_zone(value):
                return f"{value} isn't a time zone; expected a name such as Europe/London"
            return dataclasses.replace(settings, timezone=value)
        case "admins":
            if value.lower() == "none":
                return dataclasses.replace(settings, admins=frozenset())
            ids = frozenset(re.split(r"[\s,]+", value)) - {""}
            if bad := sorted(i for i in ids if not is_user_id(i)):
                return f"{bad[0]} isn't a Slack user ID; admins lists IDs such as U0123ABCD"
            return dataclasses.replace(settings, admins=ids)
        case "holiday_country":
            if value.lower() in {"", "none", "off"}:
                return dataclasses.replace(settings, holiday_country=None)
            if not valid_country(value):
                return f"{value} isn't a country code the holidays calendar knows, such as US or GB"
            return dataclasses.replace(settings, holiday_country=value.upper())
        case "date_order":
            if value.upper() not in DATE_ORDERS:
                return f"date_order is {' or '.join(DATE_ORDERS)}: month first, or day first"
            return dataclasses.replace(settings, date_order=value.upper())
        case "recap_quotes":
            if value.lower() not in {"on", "off"}:
                return "recap_quotes is on or off"
            return dataclasses.replace(settings, recap_quotes=value.lower() == "on")
        case "notes_visible_to":
            if value.lower() not in set(NoteReaders):
                return "notes_visible_to is team or owners"
            return dataclasses.replace(settings, notes_visible_to=NoteReaders(value.lower()))
        case "note_retention_days":
            if value.lower() == "off":
                return dataclasses.replace(settings, note_retention_days=None)
            if not _whole(value, spec):
                return f"{key} is off, or a whole number from {spec.low} to {spec.high}"
    if not _whole(value, spec):
        return f"{key} should be a whole number from {spec.low} to {spec.high}"
    changes: dict[str, Any] = {key: int(value)}
    return dataclasses.replace(settings, **changes)


def change_all(
    settings: WorkspaceSettings, raw: Mapping[str, str]
) -> WorkspaceSettings | dict[str, str]:
    """The settings with every value in `raw` (key -> value as typed) changed, or what's wrong
    with each value that can't be, by key."""
    problems: dict[str, str] = {}
    for key, value in raw.items():
        changed = change(settings, key, value)
        if isinstance(changed, str):
            problems[key] = changed
        else:
            settings = changed
    return problems or settings


def _whole(value: str, spec: SettingSpec) -> bool:
    return value.isascii() and value.isdigit() and spec.low <= int(value) <= spec.high


def shown(settings: WorkspaceSettings, key: str) -> str:
    """A setting's value as `touchbase settings` prints it, and as it is typed."""
    value = getattr(settings, key)
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, frozenset):
        return ",".join(sorted(value)) or "none"
    return SETTINGS[key].unset if value is None else str(value)
