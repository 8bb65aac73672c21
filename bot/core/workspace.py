"""Changing a workspace's settings: which ones exist, and what values make sense."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from bot.core.dates import DATE_ORDERS
from bot.core.model import WorkspaceSettings
from bot.core.rules import valid_country


@dataclass(frozen=True)
class SettingSpec:
    meaning: str
    low: int = 0
    high: int = 0


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
    "holiday_country": SettingSpec(
        "a country code (such as US or GB) whose public holidays get no notes, or 'none'"
    ),
    "date_order": SettingSpec("how /touch reads 11/12: MDY (12 November) or DMY (11 December)"),
}


def change(settings: WorkspaceSettings, key: str, raw: str) -> WorkspaceSettings | str:
    """The settings with one value changed, or a sentence saying what's wrong."""
    spec = SETTINGS.get(key)
    if spec is None:
        return f"there is no setting called {key}; the settings are {', '.join(SETTINGS)}"
    value = raw.strip()
    if key == "holiday_country":
        if value.lower() in {"", "none", "off"}:
            return dataclasses.replace(settings, holiday_country=None)
        if not valid_country(value):
            return f"{value} isn't a country code the holidays calendar knows, such as US or GB"
        return dataclasses.replace(settings, holiday_country=value.upper())
    if key == "date_order":
        if value.upper() not in DATE_ORDERS:
            return f"date_order is {' or '.join(DATE_ORDERS)}: month first, or day first"
        return dataclasses.replace(settings, date_order=value.upper())
    if not (value.isascii() and value.isdigit()) or not spec.low <= int(value) <= spec.high:
        return f"{key} should be a whole number from {spec.low} to {spec.high}"
    changes: dict[str, Any] = {key: int(value)}
    return dataclasses.replace(settings, **changes)
