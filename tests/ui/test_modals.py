"""The log-touch form on plain values: the kind following the note, and reading a submission."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.core.model import Kind
from bot.devtools.standin import view_problems
from bot.ui.blocks import FormErrors
from bot.ui.ids import CLIENT, DAY, NOTE
from bot.ui.modals import LogForm, follow_note, log_touch_view, read_log_form
from tests.ui.test_clients import ACME, TODAY, inputs

# The log-touch form


def state_of(
    client: tuple[int, str] | None, note: str, kind_block: str = "kind", kind: str | None = None
) -> dict[str, Any]:
    picked = (
        {"text": {"type": "plain_text", "text": client[1]}, "value": str(client[0])}
        if client
        else None
    )
    return {
        CLIENT: {CLIENT: {"type": "external_select", "selected_option": picked}},
        NOTE: {NOTE: {"type": "plain_text_input", "value": note}},
        DAY: {DAY: {"type": "datepicker", "selected_date": "2026-11-20"}},
        kind_block: {
            "kind": {"type": "radio_buttons", "selected_option": {"value": kind} if kind else None}
        },
        "follow_up": {"follow_up": {"type": "datepicker", "selected_date": None}},
    }


def test_the_kind_follows_the_note_until_the_rep_chooses() -> None:
    blank = log_touch_view(None, TODAY)
    assert "initial_option" not in inputs(blank)["kind"]
    typed = state_of((1, "Acme"), "sent the invoice")
    routine = follow_note(typed, blank["private_metadata"])
    assert routine is not None and view_problems(routine, expected_type="modal") == []
    fields = inputs(routine)
    assert fields["kind.routine"]["initial_option"]["value"] == "routine"
    assert fields[NOTE]["initial_value"] == "sent the invoice"
    assert fields[CLIENT]["initial_option"]["value"] == "1"
    assert fields[DAY]["initial_date"] == "2026-11-20"
    # More typing that doesn't change the suggestion changes nothing.
    same = state_of((1, "Acme"), "sent the invoice again", "kind.routine", "routine")
    assert follow_note(same, routine["private_metadata"]) is None
    # The rep's own choice stays, whatever the note says next.
    chosen = state_of((1, "Acme"), "sent the invoice and reviewed cover", "kind.routine", "value")
    assert follow_note(chosen, routine["private_metadata"]) is None
    # Still the suggestion: it follows the note.
    followed = state_of(
        (1, "Acme"), "sent the invoice, then reviewed cover", "kind.routine", "routine"
    )
    value = follow_note(followed, routine["private_metadata"])
    assert value is not None and inputs(value)["kind.value"]["initial_option"]["value"] == "value"


def test_a_note_given_up_front_is_classified_at_once() -> None:
    view = log_touch_view(ACME, TODAY, "Thanks for the review of our cover!")
    assert inputs(view)["kind.value"]["initial_option"]["value"] == "value"
    assert inputs(view)[CLIENT]["initial_option"]["text"]["text"] == "Acme Insurance Group"


def test_the_submitted_form_needs_a_client_and_a_note() -> None:
    meta = log_touch_view(None, TODAY)["private_metadata"]
    assert read_log_form(state_of(None, "  "), meta) == FormErrors(
        {
            CLIENT: "Which client was it?",
            NOTE: "Add a few words about what happened.",
        }
    )
    form = read_log_form(state_of((1, "Acme"), " called ", "kind.value", "routine"), meta)
    assert form == LogForm(1, "called", dt.date(2026, 11, 20), Kind.ROUTINE, None)
    no_kind = read_log_form(state_of((1, "Acme"), "called"), meta)
    assert isinstance(no_kind, LogForm) and no_kind.kind is None
