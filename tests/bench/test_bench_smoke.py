"""The benchmark scripts import and run end to end at a tiny size.

Smoke only: no figure is asserted against a target (that's `make bench`'s report), only that
each script measures what it says and reports it.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest

from bench import __main__ as cli
from bench import calendar, delivery, load, nudge_pass, startup, touch_latency, workspaces
from bench.common import Check, Section, Table, percentile, render
from bench.seed import NOW, Book, cached_sqlite, names, seed
from bot.db import repository as repo
from bot.db.engine import Database


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOUCHBASE_BENCH_CACHE", str(tmp_path / "cache"))


def test_percentiles_interpolate_like_numpy() -> None:
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([5], 99) == 5
    assert math.isclose(percentile(list(range(101)), 95), 95)
    assert math.isnan(percentile([], 50))


def test_a_seeded_book_reads_back_through_the_repository(tmp_path: Path) -> None:
    book = Book(clients=40, reps=4, touches_per_client=6)
    seeded = seed(f"sqlite:///{tmp_path / 'book.db'}", book)
    assert seeded.clients == 40 and seeded.touches >= 40
    db = Database.from_url(seeded.url)
    try:
        with db.transaction() as session:
            activities = repo.client_activity(session, book.team_id, NOW)
            reps = repo.get_reps(session, book.team_id, book.rep_ids())
    finally:
        db.dispose()
    active = names(book)
    assert sorted(a.client.name for a in activities) == sorted(n for n in active) or len(
        activities
    ) >= len(active)
    assert all(a.last_touch_at is not None and a.last_touch_at <= NOW for a in activities)
    # Fresh profiles: a pass makes no users.info calls.
    assert all(r.profile_refreshed_at == NOW - dt.timedelta(hours=1) for r in reps.values())


def test_the_cache_reuses_a_seeded_file() -> None:
    book = Book(clients=20, reps=2, touches_per_client=3)
    first, again = cached_sqlite(book), cached_sqlite(book)
    assert not first.cached and again.cached and first.url == again.url
    assert again.touches == first.touches


@pytest.mark.slow
def test_nudge_pass_measures_the_pass_and_its_floor_in_fresh_processes() -> None:
    section = nudge_pass.run([50, 200], quick=True, reps=10)
    results = section.data["results"]
    assert [(r["size"], r["book"]) for r in results] == [
        (size, book) for size in (50, 200) for book in ("neglected", "healthy")
    ]
    for result in results:
        assert result["pass"]["seconds"] and result["floor"]["seconds"]
        assert result["pass"]["users_info"] == 0
        assert 0 < result["pass"]["clients_read"] <= result["size"]
        assert result["floor"]["rows"] == result["size"]
        assert result["pass"]["peak_rss_mb"] > 0
    assert results[0]["pass"]["planned"] > 0
    assert len({r["pass"]["statements"][0] for r in results}) == 1
    assert "Nudge pass" in section.markdown()


@pytest.mark.slow
def test_delivery_sends_every_digest_once() -> None:
    section = delivery.run(12, latency=0.0, rate_limited=0.0, server_error=0.0)
    data = section.data
    assert data["planned"] == 12
    assert data["lost"] == 0 and data["duplicates"] == 0
    assert data["ok_calls_per_digest"] == 1
    assert all(check.met for check in section.checks)


@pytest.mark.slow
def test_workspaces_runs_the_pass_over_many_workspaces_and_over_one() -> None:
    section = workspaces.run(4, per_workspace=20, rounds=1)
    data = section.data
    many, one = data["many"], data["one"]
    assert (many["workspaces"], many["clients"]) == (4, 80)
    assert (one["workspaces"], one["clients"]) == (1, 80)
    assert many["reps"] == one["reps"] == 4
    for layout in (many, one):
        [run] = layout["runs"]
        assert run["sent"] == run["planned"] > 0
        # One chat.postMessage a digest, with its own workspace's token, and nothing else.
        assert run["by_method"] == {"chat.postMessage": run["sent"]}
        assert run["pass_seconds"] > 0 and run["planning_seconds"] > 0
    assert many["runs"][0]["teams_called"] == 4
    assert many["runs"][0]["misdirected"] == one["runs"][0]["misdirected"] == 0
    assert [check.met for check in section.checks][1:] == [True]
    assert data["pass_ratio"] > 0
    assert "Many workspaces" in section.markdown()


@pytest.mark.slow
def test_touch_latency_drives_touchbase_and_the_bare_app_over_http() -> None:
    section = touch_latency.run(("sqlite",), (1, 2), 6, clients=30, reps=3, warmup=2)
    levels = section.data["sqlite"]
    for level in (1, 2):
        touchbase, bare = levels[level]["touchbase"], levels[level]["bare"]
        assert touchbase["requests"] == bare["requests"] == 6
        assert touchbase["errors"] == bare["errors"] == 0
        assert touchbase["replies"] == 6
        assert touchbase["p99"] > 0 and bare["p99"] > 0


@pytest.mark.slow
def test_open_loop_load_times_acks_and_replies_from_the_scheduled_send() -> None:
    section = load.run(("sqlite",), (5,), 1.0, clients=30, reps=3)
    [pair] = section.data["sqlite"].values()
    touchbase, bare = pair["touchbase"], pair["bare"]
    assert touchbase["requests"] == bare["requests"] > 0
    assert touchbase["errors"] == bare["errors"] == 0
    assert touchbase["replies"] == touchbase["requests"]
    assert touchbase["reply_p99"] >= touchbase["ack_p50"] > 0


@pytest.mark.slow
def test_startup_times_touchbase_and_the_bare_app() -> None:
    section = startup.run(repeats=1, with_scheduler=False)
    for key in ("first", "web_median", "floor_median"):
        assert section.data[key] > 0


def test_the_report_lists_every_target_with_its_verdict() -> None:
    table = Table(["Figure", "Value"])
    table.add("a|b", 1)
    section = Section("Demo", intro=["Intro."], tables=[("", table)], notes=["A note."])
    section.checks += [Check("x < 1", "0.5", True), Check("y = 0", "3", False)]
    text = render([section], quick=True, started=dt.datetime(2026, 11, 23, tzinfo=dt.UTC), wall=60)
    assert text.startswith("# Benchmarks (quick)")
    assert "| Demo | x < 1 | 0.5 | yes |" in text
    assert "| Demo | y = 0 | 3 | **no** |" in text
    assert "a\\|b" in text and "cores" in text


def test_the_command_line_runs_the_chosen_benchmarks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran: list[tuple[str, bool]] = []

    def fake(name: str) -> object:
        def runner(quick: bool) -> Section:
            ran.append((name, quick))
            return Section(name.title())

        return runner

    monkeypatch.setattr(cli, "RUNNERS", {name: fake(name) for name in cli.BENCHES})
    output = tmp_path / "benchmarks.md"
    assert cli.main(["--quick", "--only", "nudge,startup", "--output", str(output)]) == 0
    assert ran == [("startup", True), ("nudge", True)]
    assert "## Nudge" in output.read_text()
    with pytest.raises(SystemExit):
        cli.main(["--only", "nope"])


def test_the_calendar_feed_is_built_served_and_answered_304() -> None:
    section = calendar.run(quick=True, clients=30, repeats=2)
    figures = section.data["SQLite"]
    assert figures["events"] > 30 and figures["bytes"] > 0
    timed = ("served_cold_s", "served_s", "changed_s", "not_modified_s", "writing_cold_s")
    assert all(figures[k] > 0 for k in (*timed, "writing_s", "whole_s"))
    assert "Calendar feed" in section.markdown()
    [check] = section.checks
    assert check.target == "a 30-client feed builds in < 50 ms (SQLite, cold)"
