"""The `touchbase` command as an operator runs it: a real process with a controlled environment
(`python -m bot` and the console script), talking to the Slack stand-in and a temporary SQLite."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import delete

from bot import cli
from bot.db import repository as repo
from bot.db.engine import Database
from bot.db.schema import ClientSummaryRow
from bot.devtools.standin import SlackStandIn
from tests.conftest import NOW
from tests.helpers import add_client, add_touch

PYTHON = [sys.executable, "-m", "bot"]
SCRIPT = [str(Path(sys.executable).with_name("touchbase"))]
TOKENS = {"SLACK_BOT_TOKEN": "xoxb-cli-test", "SLACK_SIGNING_SECRET": "cli-secret"}


def run(
    command: list[str], args: list[str], env: Mapping[str, str], cwd: Path
) -> subprocess.CompletedProcess[str]:
    """Run with only the variables given (plus PATH), so the caller's environment can't leak."""
    return subprocess.run(
        [*command, *args],
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


# Configuration errors: one line naming the variable, exit status 2, no traceback. The processes
# start together (each takes about half a second, mostly imports); tests/test_config.py has the
# full list of bad values.
CONFIG_CASES: dict[str, tuple[list[str], list[str], dict[str, str], str]] = {
    "missing bot token": (SCRIPT, ["import", "clients", "x.csv"], {}, "SLACK_BOT_TOKEN"),
    # A port that isn't a number: once a traceback from SQLAlchemy.
    "database url": (
        PYTHON,
        ["db", "upgrade"],
        {"DATABASE_URL": "postgresql://u@db.example.com:fivefourthreetwo/touchbase"},
        "DATABASE_URL",
    ),
    "recap channel": (
        PYTHON,
        ["import", "clients", "x.csv"],
        {**TOKENS, "TOUCHBASE_RECAP_CHANNEL": "#general"},
        "TOUCHBASE_RECAP_CHANNEL",
    ),
    "port": (SCRIPT, ["import", "clients", "x.csv"], {**TOKENS, "PORT": "http"}, "PORT"),
    "log format": (
        PYTHON,
        ["db", "upgrade"],
        {"TOUCHBASE_LOG_FORMAT": "xml"},
        "TOUCHBASE_LOG_FORMAT",
    ),
    "timezone": (
        PYTHON,
        ["import", "clients", "x.csv"],
        {**TOKENS, "TOUCHBASE_TIMEZONE": "Mars/Olympus_Mons"},
        "TOUCHBASE_TIMEZONE",
    ),
}


@pytest.fixture(scope="module")
def config_failures(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, subprocess.CompletedProcess[str]]:
    cwd = tmp_path_factory.mktemp("cli-config")
    with ThreadPoolExecutor(max_workers=len(CONFIG_CASES)) as pool:
        futures = {
            name: pool.submit(run, command, args, env, cwd)
            for name, (command, args, env, _) in CONFIG_CASES.items()
        }
        results = {name: future.result() for name, future in futures.items()}
    # Nothing was created on the way out, not even the default SQLite file.
    assert list(cwd.iterdir()) == []
    return results


@pytest.mark.parametrize("case", list(CONFIG_CASES))
def test_a_bad_setting_is_one_line_and_exit_2(
    case: str, config_failures: dict[str, subprocess.CompletedProcess[str]]
) -> None:
    result = config_failures[case]
    variable = CONFIG_CASES[case][3]
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith(f"touchbase: {variable} ")


def test_python_m_bot_and_the_script_print_the_same_usage(tmp_path: Path) -> None:
    with ThreadPoolExecutor(max_workers=2) as pool:
        module, script = pool.map(lambda c: run(c, ["--help"], {}, tmp_path), [PYTHON, SCRIPT])
    assert (module.returncode, script.returncode) == (0, 0)
    assert module.stdout == script.stdout
    assert module.stdout.startswith("usage: touchbase ")
    for command in ("serve", "db", "import"):
        assert command in module.stdout


def test_db_upgrade_check_and_import_end_to_end(tmp_path: Path, slack: SlackStandIn) -> None:
    database = tmp_path / "cli.db"
    env = {
        **TOKENS,
        "DATABASE_URL": f"sqlite:///{database}",
        "SLACK_API_URL": slack.api_url,
    }

    upgraded = run(SCRIPT, ["db", "upgrade"], env, tmp_path)
    assert upgraded.returncode == 0, upgraded.stderr
    assert "up to date" in upgraded.stdout

    good = tmp_path / "clients.csv"
    good.write_text(
        "name,owner,renewal_date,tier,aliases\n"
        "Acme Insurance Group,U0SAM,2027-03-01,a,Acme;AIG\n"
        "Brightside Bakery,priya@example.com,,,\n",
        encoding="utf-8",
    )
    imported = run(SCRIPT, ["import", "clients", str(good)], env, tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert "Traceback" not in imported.stderr
    assert "2 new, 0 updated, 0 already there" in imported.stdout
    assert [c.method for c in slack.calls] == [
        "auth.test",
        "users.lookupByEmail",
    ]

    broken = tmp_path / "broken.csv"
    broken.write_text(
        "name,owner,renewal_date,tier,aliases\n"
        "Acme Insurance Group,U0PRIYA,,,\n"  # 2: fine (an update)
        "Bad Date,U0SAM,2026-02-30,,\n"  # 3
        '"Two\nLines",U0SAM,,Z,\n'  # 4-5
        "Ghost,ghost@example.com,,,\n",  # 6
        encoding="utf-8",
    )
    # `db check` reads the schema meanwhile: the two are independent.
    with ThreadPoolExecutor(max_workers=2) as pool:
        checking = pool.submit(run, PYTHON, ["db", "check"], env, tmp_path)
        refused = run(PYTHON, ["import", "clients", str(broken)], env, tmp_path)
        checked = checking.result()
    assert checked.returncode == 0, checked.stderr
    assert "agree" in checked.stdout
    assert refused.returncode == 1
    assert "Traceback" not in refused.stderr
    assert refused.stdout == ""
    lines = refused.stderr.splitlines()
    assert lines[0] == f"{broken}: 3 problems, so nothing was imported:"
    assert [line.split(":")[0].strip() for line in lines[1:]] == ["line 3", "line 4", "line 6"]

    db = Database.from_url(f"sqlite:///{database}")
    try:
        with db.transaction() as session:
            clients = repo.all_clients(session, slack.team_id)
    finally:
        db.dispose()
    assert [(c.name, c.owner_id) for c in clients] == [
        ("Acme Insurance Group", "U0SAM"),  # the broken file changed nothing
        ("Brightside Bakery", "U0PRIYA"),
    ]


def test_settings_shows_and_changes_a_workspace_setting(
    tmp_path: Path, slack: SlackStandIn
) -> None:
    url = f"sqlite:///{tmp_path / 'touchbase.db'}"
    env = {**TOKENS, "DATABASE_URL": url, "SLACK_API_URL": slack.api_url}
    assert run(SCRIPT, ["db", "upgrade"], env, tmp_path).returncode == 0

    changed = run(SCRIPT, ["settings", "holiday_country", "us"], env, tmp_path)
    assert changed.returncode == 0, changed.stderr
    assert "holiday_country      US" in changed.stdout
    refused = run(SCRIPT, ["settings", "nudge_hour", "25"], env, tmp_path)
    assert refused.returncode == 1
    assert refused.stderr.strip() == "touchbase: nudge_hour should be a whole number from 0 to 23"

    db = Database.from_url(url)
    try:
        with db.transaction() as session:
            saved = repo.workspace_settings(session, slack.team_id)
    finally:
        db.dispose()
    assert (saved.holiday_country, saved.nudge_hour) == ("US", 9)


def test_db_check_summary_reports_drift_and_repairs_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'touchbase.db'}"
    env = {"DATABASE_URL": url}
    assert run(SCRIPT, ["db", "upgrade"], env, tmp_path).returncode == 0
    db = Database.from_url(url)
    try:
        acme = add_client(db, "Acme Insurance Group")
        add_touch(db, acme, NOW - dt.timedelta(days=3))
        with db.transaction(write=True) as session:
            session.execute(delete(ClientSummaryRow))  # as if written around the repository
    finally:
        db.dispose()

    drifted = run(SCRIPT, ["db", "check-summary"], env, tmp_path)
    assert drifted.returncode == 1
    assert drifted.stderr == (
        "touchbase: 1 of 1 client summaries had drifted (1 missing, 0 wrong, 0 late), so the "
        "nudge pass could miss a nudge; run `touchbase db check-summary --repair` to rebuild "
        "them from the touches\n"
    )
    repaired = run(SCRIPT, ["db", "check-summary", "--repair"], env, tmp_path)
    assert repaired.returncode == 0, repaired.stderr
    assert repaired.stdout == (
        "1 of 1 client summaries had drifted (1 missing, 0 wrong, 0 late); rebuilt them from "
        "the touches.\n"
    )
    again = run(PYTHON, ["db", "check-summary"], env, tmp_path)
    assert again.returncode == 0, again.stderr
    assert again.stdout == "Checked 1 client summary: none had drifted.\n"


# Slack slow to answer. `touchbase` runs in this process, exactly as the script runs it, with
# TOUCHBASE_SLACK_TIMEOUT=1, so each late answer costs a second.


Touchbase = Callable[..., tuple[int, str]]


@pytest.fixture
def impatient_touchbase(
    slack: SlackStandIn,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Touchbase:
    for key in ("SLACK_APP_TOKEN", "TOUCHBASE_RECAP_CHANNEL", "TOUCHBASE_TIMEZONE"):
        monkeypatch.delenv(key, raising=False)
    for key, value in {
        **TOKENS,
        "SLACK_API_URL": slack.api_url,
        "DATABASE_URL": database_url,
        "TOUCHBASE_SLACK_TIMEOUT": "1",
    }.items():
        monkeypatch.setenv(key, value)

    def touchbase(*args: str) -> tuple[int, str]:
        code = cli.main(list(args))
        return code, capsys.readouterr().out

    return touchbase


def test_touchbase_nudge_says_which_notes_slack_never_confirmed(
    impatient_touchbase: Touchbase, slack: SlackStandIn, db: Database
) -> None:
    acme = add_client(db, "Acme Insurance Group")
    add_touch(db, acme, NOW - dt.timedelta(days=90))
    slack.slow_next("chat.postMessage", seconds=1.5, times=3)
    code, out = impatient_touchbase("nudge", "--now", "2026-11-23T15:00:00Z")
    assert len(slack.dm_messages("U0SAM")) == 1
    assert code == 0
    assert out.splitlines()[-2:] == [
        "0 sent, 0 already sent, 0 to retry on the next pass, 0 failed.",
        "1 morning note may or may not have reached Slack (it didn't answer in time); it won't "
        "be sent again, and its clients come back in the next working day's note.",
    ]


def test_touchbase_recap_says_when_slack_never_confirmed_the_post(
    impatient_touchbase: Touchbase, slack: SlackStandIn
) -> None:
    slack.add_channel("C0RECAP", name="team-wins", is_member=True)
    slack.slow_next("chat.postMessage", seconds=1.5, times=3)
    code, out = impatient_touchbase(
        "recap", "--now", "2026-11-23T09:00:00Z", "--channel", "C0RECAP"
    )
    assert len(slack.messages("C0RECAP")) == 1
    assert out.strip() == (
        "Slack didn't answer in time, so the weekly recap for Monday 16 November to Sunday 22 "
        "November 2026 may or may not be in C0RECAP: check the channel. It won't be posted "
        "again this week."
    )
    assert code == 1
