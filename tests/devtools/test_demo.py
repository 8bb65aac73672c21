"""`touchbase demo` runs the real bot end to end against the stand-in."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from rich.console import Console

from bot.devtools import demo


def test_demo_runs_a_week_in_process_through_the_stand_in(tmp_path: Path) -> None:
    console = Console(file=(tmp_path / "out.txt").open("w"), width=100)
    summary = demo.run(weeks=1, seed=3, keep=tmp_path / "db", console=console)
    console.file.close()
    output = (tmp_path / "out.txt").read_text()
    assert summary.dm_posts >= 1
    assert sum(summary.dms.values()) == summary.dm_posts
    assert summary.recaps == summary.channel_posts == 1
    assert "DM to " in output and "Good morning!" in output
    assert (tmp_path / "db" / "touchbase.db").exists()  # --keep keeps the database


def test_touchbase_demo_one_week_exits_0_and_prints_digests_recap_and_summary(
    tmp_path: Path,
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "demo", "--weeks", "1"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "/touch acme called about their claim" in out
    assert "Acme Insurance Group" in out
    assert "DM to " in out
    assert "Weekly recap in #team-wins" in out
    # The feed's events for one rep, and morning notes that remember the conversation.
    assert "Sam's calendar feed" in out and "Renewal: Acme Insurance Group" in out
    assert "Polled again at once: 304" in out
    assert "Last talked " in out and "Has been with you" in out
    assert "Summary" in out and "Clients gone quiet" in out
    assert "Traceback" not in result.stderr
