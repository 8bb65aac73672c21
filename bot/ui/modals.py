"""The log-touch form: its view, following the note as it is typed, and reading a submission.

Pure. The client is picked with an external select whose options come from the options
endpoint; how the touch counts is preselected from the note, and the rep can change it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from slack_sdk.models.blocks import (
    CheckboxesElement,
    DatePickerElement,
    ExternalDataSelectElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
)
from slack_sdk.models.blocks.basic_components import DispatchActionConfig
from slack_sdk.models.views import View

from bot.core.classify import classify
from bot.core.model import Client, Kind, Source
from bot.core.plan import MAX_NOTE
from bot.core.record_id import record_id
from bot.core.user_text import clean_note
from bot.ui import text
from bot.ui.blocks import FormErrors, Message
from bot.ui.ids import CLIENT, DAY, FOLLOW_UP, KIND, LOG_TOUCH_VIEW, NOTE, PRIVATE

# Slack's limit for an option's text.
MAX_OPTION_TEXT = 75


@dataclass(frozen=True)
class Modal(Message):
    """A reply that opens a form; `text` is what to say instead when the form can't open."""

    view: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ClientChoice:
    """The client picked in the form: its ID, and the name the picker shows."""

    id: int
    name: str


@dataclass(frozen=True)
class LogDraft:
    """What the form holds: what it opens with, or what the rep has filled in so far."""

    client: ClientChoice | None = None
    note: str = ""
    day: dt.date | None = None
    kind: Kind | None = None
    follow_up_on: dt.date | None = None
    private: bool = False


def client_option(client_id: int, name: str) -> Option:
    return Option(value=str(client_id), label=text.one_line(name, MAX_OPTION_TEXT))


def log_touch_view(
    client: Client | None, today: dt.date, note: str = "", source: Source = Source.MODAL
) -> dict[str, Any]:
    """The form for a client (or none yet: the rep picks one), with an optional note.

    A note given up front, such as a message logged with the shortcut, is classified at once.
    `source` is recorded with the touch: the form, or the message shortcut.
    """
    note = note[:MAX_NOTE]
    picked = ClientChoice(client.id, client.name) if client else None
    return _view(LogDraft(client=picked, note=note), today, _suggest(note), source)


def _suggest(note: str) -> Kind | None:
    return classify(note).kind if note.strip() else None


def _kind_block(suggested: Kind | None) -> str:
    # Slack keeps what an input shows across views.update while its block_id stays the same,
    # so a new suggestion gets a new block_id, or it wouldn't show.
    return KIND if suggested is None else f"{KIND}.{suggested.value}"


def _view(
    draft: LogDraft, today: dt.date, suggested: Kind | None, source: Source
) -> dict[str, Any]:
    kinds = [
        Option(value=Kind.VALUE.value, label=text.FORM_KIND_VALUE),
        Option(value=Kind.ROUTINE.value, label=text.FORM_KIND_ROUTINE),
    ]
    chosen = draft.kind or suggested
    picked = client_option(draft.client.id, draft.client.name) if draft.client else None
    follow_up = draft.follow_up_on.isoformat() if draft.follow_up_on else None
    private = Option(value=PRIVATE, label=text.FORM_PRIVATE_OPTION)
    blocks = [
        InputBlock(
            block_id=CLIENT,
            label=text.FORM_CLIENT,
            element=ExternalDataSelectElement(
                action_id=CLIENT,
                placeholder=text.FORM_CLIENT_HINT,
                initial_option=picked,
                # Options load as soon as the menu opens, before anything is typed.
                min_query_length=0,
            ),
        ),
        InputBlock(
            block_id=NOTE,
            label=text.FORM_NOTE,
            # Each pause in typing sends the note, so the kind below can follow it.
            dispatch_action=True,
            element=PlainTextInputElement(
                action_id=NOTE,
                multiline=True,
                initial_value=draft.note or None,
                max_length=MAX_NOTE,
                placeholder=text.FORM_NOTE_HINT,
                dispatch_action_config=DispatchActionConfig(
                    trigger_actions_on=["on_character_entered"]
                ),
            ),
        ),
        InputBlock(
            block_id=DAY,
            label=text.FORM_DAY,
            element=DatePickerElement(action_id=DAY, initial_date=(draft.day or today).isoformat()),
        ),
        InputBlock(
            block_id=_kind_block(suggested),
            label=text.FORM_KIND,
            hint=text.FORM_KIND_HINT,
            optional=True,
            element=RadioButtonsElement(
                action_id=KIND,
                options=kinds,
                initial_option=next((o for o in kinds if o.value == chosen), None),
            ),
        ),
        InputBlock(
            block_id=FOLLOW_UP,
            label=text.FORM_FOLLOW_UP,
            optional=True,
            element=DatePickerElement(
                action_id=FOLLOW_UP, initial_date=follow_up, placeholder=text.FORM_FOLLOW_UP_HINT
            ),
        ),
        InputBlock(
            block_id=PRIVATE,
            label=text.FORM_PRIVATE,
            optional=True,
            element=CheckboxesElement(
                action_id=PRIVATE,
                options=[private],
                initial_options=[private] if draft.private else None,
            ),
        ),
    ]
    metadata = {
        "today": today.isoformat(),
        "suggested": suggested.value if suggested else None,
        "source": source.value,
    }
    view = View(
        type="modal",
        callback_id=LOG_TOUCH_VIEW,
        title=text.FORM_TITLE,
        submit=text.FORM_SUBMIT,
        close=text.FORM_CLOSE,
        private_metadata=json.dumps(metadata),
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
    source: Source = Source.MODAL
    private: bool = False


@dataclass(frozen=True)
class _Metadata:
    today: dt.date
    suggested: Kind | None
    source: Source


def _metadata(private_metadata: str) -> _Metadata | None:
    """The rep's today when the form opened, the kind it suggested and where it came from;
    None if the metadata isn't ours."""
    try:
        meta = json.loads(private_metadata)
        return _Metadata(
            today=dt.date.fromisoformat(meta["today"]),
            suggested=Kind(meta["suggested"]) if meta.get("suggested") else None,
            source=Source(meta.get("source") or Source.MODAL.value),
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def _draft(state: Mapping[str, Any]) -> LogDraft:
    """What the rep has filled in; a value that isn't one of the form's own reads as empty."""

    def value(block: str, action: str | None = None) -> Mapping[str, Any]:
        return state.get(block, {}).get(action or block, {}) or {}

    kind_state = next(
        (
            actions.get(KIND) or {}
            for block_id, actions in state.items()
            if block_id == KIND or block_id.startswith(f"{KIND}.")
        ),
        {},
    )
    picked = value(CLIENT).get("selected_option") or {}
    kind_raw = (kind_state.get("selected_option") or {}).get("value")
    return LogDraft(
        client=_choice(picked),
        note=value(NOTE).get("value") or "",
        day=_date(value(DAY).get("selected_date")),
        kind=Kind(kind_raw) if kind_raw in {k.value for k in Kind} else None,
        follow_up_on=_date(value(FOLLOW_UP).get("selected_date")),
        private=any(
            o.get("value") == PRIVATE for o in value(PRIVATE).get("selected_options") or []
        ),
    )


def _choice(option: Mapping[str, Any]) -> ClientChoice | None:
    raw = str(option.get("value") or "")
    name = (option.get("text") or {}).get("text") or ""
    client_id = record_id(raw)
    return ClientChoice(client_id, str(name)) if client_id else None


def _date(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def follow_note(state: Mapping[str, Any], private_metadata: str) -> dict[str, Any] | None:
    """The form again, with the kind the note now suggests preselected and everything else as
    typed. None when nothing would change: the same suggestion, or the rep chose a kind."""
    meta = _metadata(private_metadata)
    if meta is None:
        return None
    draft = _draft(state)
    if draft.kind is not None and draft.kind != meta.suggested:
        return None
    now_suggested = _suggest(draft.note)
    if now_suggested == meta.suggested:
        return None
    return _view(replace(draft, kind=None), meta.today, now_suggested, meta.source)


def read_log_form(state: Mapping[str, Any], private_metadata: str) -> LogForm | FormErrors | None:
    """The submitted form, or the inline errors to show (block ID -> words).

    None when the metadata isn't ours: a form too old or tampered with. No kind chosen means
    the note decides, as with `/touch`.
    """
    meta = _metadata(private_metadata)
    if meta is None:
        return None
    today = meta.today
    draft = _draft(state)
    note = clean_note(draft.note).strip()
    day = draft.day or today
    errors: dict[str, str] = {}
    if draft.client is None:
        errors[CLIENT] = text.FORM_CLIENT_EMPTY
    if not note:
        errors[NOTE] = text.FORM_NOTE_EMPTY
    if day > today:
        errors[DAY] = text.FORM_DAY_FUTURE
    if draft.follow_up_on is not None and draft.follow_up_on <= today:
        errors[FOLLOW_UP] = text.FORM_FOLLOW_UP_PAST
    if errors or draft.client is None:
        return FormErrors(errors)
    return LogForm(
        draft.client.id, note, day, draft.kind, draft.follow_up_on, meta.source, draft.private
    )
