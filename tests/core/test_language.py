"""The labelled corpus of what reps type, through the real matching, parsing and classifying.

`bench/language.py` runs every line of `tests/data/language_corpus.tsv` as a `/touch` would;
these are the floors each figure must hold, split into the documented grammar and free phrasing.
`python -m bench.language --misses 20` lists what is still missed.
"""

from __future__ import annotations

import pytest

from bench.language import Report, evaluate, load_book, load_corpus

# The least share (percent) of each figure, by form.
AT_LEAST: dict[str, dict[str, float]] = {
    "grammar": {
        "right client": 99.0,
        "right day": 99.0,
        "days named, read": 99.0,
        "promises found": 99.0,
        "right kind": 99.0,
        "note as labelled": 99.0,
        "shortcut right client": 92.0,
    },
    "free": {
        "right client": 97.0,
        "right day": 95.0,
        "days named, read": 95.0,
        "promises found": 92.0,
        "right kind": 96.0,
        "note as labelled": 95.0,
        "shortcut right client": 95.0,
    },
}
# The most share (percent) of each figure that counts errors, by form.
AT_MOST: dict[str, dict[str, float]] = {
    "grammar": {
        "wrong client": 0.0,
        "false promises": 0.0,
        "routine → value": 0.0,
        "shortcut wrong client": 0.0,
    },
    "free": {
        "wrong client": 0.3,
        "false promises": 0.0,
        "routine → value": 1.0,
        "shortcut wrong client": 0.3,
    },
}


@pytest.fixture(scope="module")
def report() -> Report:
    return evaluate()


def test_the_corpus_is_big_enough_and_well_formed() -> None:
    corpus = load_corpus()
    book = load_book()
    names = {c.name for c in book}
    assert len(corpus.lines) >= 400
    assert len(book) >= 60
    assert {line.form for line in corpus.lines} == {"grammar", "free"}
    for line in corpus.lines:
        assert line.client in names | {"ASK", "UNKNOWN"}, line
        assert (line.kind is None) == (line.client == "UNKNOWN"), line
        assert line.day is None or line.day < corpus.today, line
        assert line.promise is None or line.promise > corpus.today, line


@pytest.mark.parametrize(
    ("form", "figure", "floor"),
    [(form, name, floor) for form, floors in AT_LEAST.items() for name, floor in floors.items()],
)
def test_figure_holds_its_floor(report: Report, form: str, figure: str, floor: float) -> None:
    assert report.percent(form, figure) >= floor, report.by_form[form][figure]


@pytest.mark.parametrize(
    ("form", "figure", "ceiling"),
    [(form, name, most) for form, ceilings in AT_MOST.items() for name, most in ceilings.items()],
)
def test_error_stays_under_its_ceiling(
    report: Report, form: str, figure: str, ceiling: float
) -> None:
    assert report.percent(form, figure) <= ceiling, report.by_form[form][figure]
