"""The words of a logged touch: the day and the follow-up understood, and why it counts so."""

from __future__ import annotations

import datetime as dt

from bot.core.model import Client, Kind
from bot.ui import text

ACME = Client(1, "T1", "Acme")
THURSDAY = dt.date(2026, 12, 3)


def test_the_reply_states_the_days_it_understood() -> None:
    words = text.logged(ACME, Kind.VALUE, "a review", THURSDAY, THURSDAY, dt.date(2026, 12, 10))
    assert words == (
        "Logged a touch with *Acme* for today, Thursday 3 December. "
        "Counted as *value-adding* — a review.\n"
        "I'll remind you to follow up Thursday 10 December."
    )
    earlier = text.logged(ACME, Kind.ROUTINE, "billing", dt.date(2026, 11, 27), THURSDAY, None)
    assert earlier.startswith("Logged a touch with *Acme* for Friday 27 November.")


def test_the_reply_says_why_in_a_few_words() -> None:
    def why(**kwargs: object) -> str:
        kind = kwargs.pop("kind", Kind.ROUTINE)
        because = kwargs.pop("because", None)
        words = text.logged(ACME, kind, because, THURSDAY, THURSDAY, None, **kwargs)  # type: ignore[arg-type]
        return words.split(" — ", 1)[1]

    assert why(because="billing") == "billing."
    assert why() == "no call, visit, review or advice in the note."
    assert why(overridden=True) == "your choice."
    assert why(kind=Kind.VALUE, learned="tasting") == (
        "your team has counted notes with “tasting” as value-adding."
    )
