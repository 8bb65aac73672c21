from __future__ import annotations

import pytest

from bot.core.record_id import LARGEST, record_id


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", 1),
        ("42", 42),
        (42, 42),
        ("0042", 42),
        (str(LARGEST), LARGEST),
        (LARGEST, LARGEST),
    ],
)
def test_ids(value: object, expected: int) -> None:
    assert record_id(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        " 1",
        "1 ",
        "-1",
        "+1",
        "0",
        0,
        -5,
        "1.0",
        1.0,
        "1e3",
        "0x10",
        "1_000",
        "²",
        "١٢",
        "１２",
        str(LARGEST + 1),
        LARGEST + 1,
        "1" + "0" * 30,
        10**30,
        True,
        None,
        [1],
        {"id": 1},
    ],
)
def test_not_ids(value: object) -> None:
    assert record_id(value) is None
