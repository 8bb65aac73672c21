"""The log-touch form: its view, and reading a submission. Pure."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    DatePickerElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot import text
from bot.core.blocks import section
from bot.core.model import Client, Kind

LOG_TOUCH_VIEW = "log_touch"
NOTE, DAY, KIND, FOLLOW_UP = "note", "day", "kind", "follow_up"
AUTO = "auto"
# Slack's limit for a plain_text_input is 3000 characters.
MAX_FORM_NOTE = 3000


def log_touch_view(client: Client, today: dt.date, note: str = "") -> dict[str, Any]:
    metadata = json.dumps({"client_id": client.id, "today": today.isoformat()})
    kinds = [
        Option(value=AUTO, label=text.FORM_KIND_AUTO),
        Option(value=Kind.VALUE.value, label=text.FORM_KIND_VALUE),
        Option(value=Kind.ROUTINE.value, label=text.FORM_KIND_ROUTINE),
    ]
    blocks: list[SectionBlock | InputBlock] = [
        section(text.form_client(client)),
        InputBlock(
            block_id=NOTE,
            label=text.FORM_NOTE,
            element=PlainTextInputElement(
                action_id=NOTE,
                multiline=True,
                initial_value=note[:MAX_FORM_NOTE] or None,
                max_length=MAX_FORM_NOTE,
                placeholder=text.FORM_NOTE_HINT,
            ),
        ),
        InputBlock(
            block_id=DAY,
            label=text.FORM_DAY,
            element=DatePickerElement(action_id=DAY, initial_date=today.isoformat()),
        ),
        InputBlock(
            block_id=KIND,
            label=text.FORM_KIND,
            element=RadioButtonsElement(action_id=KIND, options=kinds, initial_option=kinds[0]),
        ),
        InputBlock(
            block_id=FOLLOW_UP,
            label=text.FORM_FOLLOW_UP,
            optional=True,
            element=DatePickerElement(action_id=FOLLOW_UP, placeholder=text.FORM_FOLLOW_UP_HINT),
        ),
    ]
    view = View(
        type="modal",
        callback_id=LOG_TOUCH_VIEW,
        title=text.FORM_TITLE,
        submit=text.FORM_SUBMIT,
        close=text.FORM_CLOSE,
        private_metadata=metadata,
        blocks=blocks,
    )
    return view.to_dict()


@dataclass(frozen=True)
class LogForm:
    client_id: int
    note: str
    day: dt.date
    kind: Kind | None
    follow_up_on: dt.date | None


def read_log_form(
    state: Mapping[str, Any], private_metadata: str
) -> LogForm | dict[str, str] | None:
    """The submitted form, or the inline errors to show (block ID -> words).

    None when the metadata isn't ours: a form too old or tampered with.
    """
    try:
        meta = json.loads(private_metadata)
        client_id = int(meta["client_id"])
        today = dt.date.fromisoformat(meta["today"])
    except (ValueError, KeyError, TypeError):
        return None

    def value(block: str) -> Mapping[str, Any]:
        return state.get(block, {}).get(block, {}) or {}

    note = (value(NOTE).get("value") or "").strip()
    day_raw = value(DAY).get("selected_date")
    follow_raw = value(FOLLOW_UP).get("selected_date")
    kind_raw = (value(KIND).get("selected_option") or {}).get("value", AUTO)
    errors: dict[str, str] = {}
    if not note:
        errors[NOTE] = text.FORM_NOTE_EMPTY
    day = dt.date.fromisoformat(day_raw) if day_raw else today
    if day > today:
        errors[DAY] = text.FORM_DAY_FUTURE
    follow_up = dt.date.fromisoformat(follow_raw) if follow_raw else None
    if follow_up is not None and follow_up <= today:
        errors[FOLLOW_UP] = text.FORM_FOLLOW_UP_PAST
    if errors:
        return errors
    kind = None if kind_raw == AUTO else Kind(kind_raw)
    return LogForm(client_id, note, day, kind, follow_up)
