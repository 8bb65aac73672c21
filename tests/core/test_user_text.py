"""Cleaning and limits for text people give us (bot.core.user_text)."""

from __future__ import annotations

import re

import pytest

from bot.core.model import MAX_NAME
from bot.core.user_text import USER_ID, clean_line, clean_note, name_fits


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Acme Insurance Group", "Acme Insurance Group"),
        ("  Harbor \t Dental\n", "Harbor Dental"),
        ("Harbor\x00Dental", "Harbor Dental"),
        ("\x1bAcme\x07 \x7fGroup\x85\x9f", "Acme Group"),
        ("Acme\ud800 Group", "Acme Group"),
        ("Café Ünïcode — “quoted”", "Café Ünïcode — “quoted”"),
        ("\x00\x01", ""),
    ],
)
def test_a_line_loses_its_control_characters_to_spaces(raw: str, clean: str) -> None:
    assert clean_line(raw) == clean


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("called about their claim", "called about their claim"),
        ("called\x00 about", "called about"),
        ("line one\r\nline two\rline three\n", "line one\nline two\nline three\n"),
        ("\tindented\x1b[31m red\x07", "\tindented[31m red"),
        ("C1\x85 and DEL\x7f and a lone \udc80surrogate", "C1 and DEL and a lone surrogate"),
    ],
)
def test_a_note_keeps_its_lines_and_tabs_and_drops_other_controls(raw: str, clean: str) -> None:
    assert clean_note(raw) == clean


def test_a_name_fits_in_200_characters_folded() -> None:
    assert MAX_NAME == 200
    assert name_fits("A" * 200)
    assert not name_fits("A" * 201)
    # 196 characters typed, 224 in the case-blind key the database keeps beside the name.
    assert not name_fits("Straße " * 28)
    assert name_fits("ß" * 100) and not name_fits("ß" * 101)


def test_a_user_id_fits_the_database() -> None:
    user_id = re.compile(f"^{USER_ID}$")
    assert user_id.match("U0SAM") and user_id.match("W" + "A" * 31)
    assert not user_id.match("U" + "A" * 32)
    assert not user_id.match("U")
