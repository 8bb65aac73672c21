"""The ID of a stored client or touch, as a button, block or form carries it back from Slack."""

from __future__ import annotations

import re

# IDs are PostgreSQL `integer` columns; a larger number would be refused by the database
# (or, in SQLite, by the driver) rather than simply not found.
LARGEST = 2**31 - 1
# ASCII digits only: str.isdigit() is also True for "²", and int() also reads "١٢" as 12.
_DIGITS = re.compile(r"[0-9]{1,10}")


def record_id(value: object) -> int | None:
    """The ID in `value` (text or a number), or None when it can't be the ID of any record."""
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        number = int(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        return None
    return number if 1 <= number <= LARGEST else None
