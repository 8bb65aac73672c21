"""`touchbase demo`: the real bot, on one machine, with no Slack account.

It runs the real code paths: the Bolt web app on waitress, the SQLite database with its
migrations, the nudge pass and the weekly recap, all talking to the local Slack stand-in.
Commands and clicks are signed HTTP requests, exactly as Slack sends them.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import secrets
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn
from rich.table import Table

from bot.config import Settings
from bot.core.dates import anniversary, next_renewal, previous_renewal
from bot.core.model import Kind, NewClient, NewTouch, Source
from bot.core.rules import Rule, due_items
from bot.db import migrate
from bot.db import repository as repo
from bot.db.engine import Database
from bot.deps import Deps
from bot.devtools import slack_requests
from bot.devtools.demo_book import REPS, VALUE_NOTES, build
from bot.devtools.standin import SlackStandIn
from bot.services import calendar, nudges, recap
from bot.slack.app import create_app
from bot.slack.calendar import feeds
from bot.slack.web import create_wsgi_app, make_server
from bot.ui.ids import SNOOZE_WEEK
from bot.ui.render import blocks_to_text
from bot.webapi import make_client

TEAM = "T0DEMO"
RECAP_CHANNEL = "C0TEAMWINS"
WORKSPACE_TZ = "America/New_York"
# Where the demo's calendar links say the server is; the demo reads them from its own server.
PUBLIC_URL = "https://touchbase.example.com"
# The feed events printed at the start.
FEED_SHOWN = 12


@dataclass
class SimClock:
    """The demo's clock: the app reads it, the simulation moves it."""

    now: dt.datetime

    def __call__(self) -> dt.datetime:
        return self.now


@dataclass
class Summary:
    dms: Counter[tuple[str, int]] = field(default_factory=Counter)
    recaps: int = 0
    quiet_start: int = 0
    quiet_end: int = 0
    renewals: int = 0
    renewals_with_value: int = 0
    logged: int = 0
    snoozed: int = 0
    # What the Slack stand-in saw: the messages really went through the Web API.
    dm_posts: int = 0
    channel_posts: int = 0


@contextmanager
def _workdir(keep: Path | None) -> Iterator[Path]:
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        yield keep
        return
    with tempfile.TemporaryDirectory(prefix="touchbase-demo-") as tmp:
        yield Path(tmp)


def _start_instant(today: dt.date) -> dt.datetime:
    """The coming Monday (today, if it is one), at 13:00 UTC: morning in New York."""
    monday = today + dt.timedelta(days=(7 - today.weekday()) % 7)
    return dt.datetime.combine(monday, dt.time(13), dt.UTC)


class Demo:
    def __init__(self, console: Console, workdir: Path, weeks: int, seed: int) -> None:
        self.out = console
        self.weeks = weeks
        self.rng = random.Random(seed)
        self.seed = seed
        self.secret = secrets.token_hex(16)
        self.start = _start_instant(dt.datetime.now(dt.UTC).date())
        self.clock = SimClock(self.start)
        self.slack = SlackStandIn(team_id=TEAM, team_name="Harbor Insurance").start()
        for rep in REPS:
            self.slack.add_user(
                rep.user_id, name=rep.name, real_name=rep.real_name, tz=rep.tz, email=rep.email
            )
        self.slack.add_channel(RECAP_CHANNEL, name="team-wins", is_member=False)
        url = f"sqlite:///{workdir / 'touchbase.db'}"
        settings = Settings(
            bot_token="xoxb-demo",
            signing_secret=self.secret,
            database_url=url,
            slack_api_url=self.slack.api_url,
            recap_channel=RECAP_CHANNEL,
            timezone=WORKSPACE_TZ,
            public_url=PUBLIC_URL,
        )
        db = Database.from_url(url)
        migrate.upgrade(db.engine)
        self.deps = Deps(settings=settings, db=db, slack=make_client(settings), clock=self.clock)
        wsgi = create_wsgi_app(
            create_app(self.deps), db, signing_secret=self.secret, calendar=feeds(self.deps)
        )
        self.server = make_server(wsgi, host="127.0.0.1", port=0, threads=4)
        threading.Thread(target=self.server.run, daemon=True).start()
        self.base_url = f"http://127.0.0.1:{self.server.effective_port}"
        self.app_url = f"{self.base_url}/slack/events"
        # Sam's calendar feed: its path on this server, and the events and ETag last read.
        self.feed_path = ""
        self.feed_events: dict[str, tuple[dt.date, str]] = {}
        self.feed_etag = ""
        self.summary = Summary()
        self._requests = 0

    def close(self) -> None:
        self.server.close()
        self.slack.stop()
        self.deps.db.dispose()

    # Slack, as a person would use it

    def command(self, user_id: str, text: str) -> str:
        self._requests += 1
        key = f"demo-{self._requests}"
        body = slack_requests.slash_command_body(
            command="/touch",
            text=text,
            user_id=user_id,
            team_id=TEAM,
            response_url=self.slack.response_url(key),
        )
        status, answer = slack_requests.post(self.app_url, body, self.secret)
        if status != 200:
            raise RuntimeError(f"the app answered {status} to /touch {text}")
        if answer:  # the reply, in the ack
            reply = json.loads(answer)
        else:
            self.slack.wait_for(lambda: bool(self.slack.responses_to(key)), timeout=10)
            reply = self.slack.responses_to(key)[-1]
        return blocks_to_text(reply.get("blocks") or [{"type": "section", "text": reply}])

    def click(self, user_id: str, message: dict[str, Any], action: dict[str, Any]) -> None:
        self._requests += 1
        key = f"demo-{self._requests}"
        body = slack_requests.block_actions_body(
            user_id=user_id,
            team_id=TEAM,
            actions=[action],
            message=message,
            response_url=self.slack.response_url(key),
        )
        slack_requests.post(self.app_url, body, self.secret)
        self.slack.wait_for(lambda: bool(self.slack.responses_to(key)), timeout=10)

    # The story

    def seed_book(self) -> None:
        clients, history = build(self.start.date(), self.seed)
        created = self.start - dt.timedelta(days=400)
        with self.deps.db.transaction(write=True) as session:
            ids = {}
            for index, c in enumerate(clients):
                new = NewClient(
                    TEAM,
                    c.name,
                    c.aliases,
                    c.owner.user_id,
                    c.tier,
                    c.renewal_date,
                    client_since=self.client_since(index),
                )
                ids[c.name] = repo.add_client(session, new, created).id
            repo.add_touches(
                session,
                [
                    NewTouch(
                        TEAM,
                        ids[t.client],
                        t.rep.user_id,
                        dt.datetime.combine(t.day, dt.time(12), ZoneInfo(t.rep.tz)),
                        dt.datetime.combine(t.day, dt.time(12), ZoneInfo(t.rep.tz)),
                        t.note,
                        t.kind,
                        Source.DEMO,
                    )
                    for t in history
                ],
            )
        self.out.print(
            f"[bold]Harbor Insurance[/]: {len(REPS)} reps "
            f"({', '.join(f'{r.real_name}, {r.tz}' for r in REPS)}), "
            f"{len(clients)} clients, {len(history)} touches over the past year."
        )

    def client_since(self, index: int) -> dt.date:
        """Clients of 2 to 10 years; a few have their anniversary in the first weeks."""
        start = self.start.date()
        ahead = {0: 2, 4: 8, 8: 15, 13: 3}.get(index, 30 + index * 37 % 300)
        day = start + dt.timedelta(days=ahead)
        return anniversary(day, day.year - 2 - index % 9)

    def slash_commands(self) -> None:
        self.out.rule("[bold]1. Logging touches with /touch")
        sam = REPS[0]
        for text in (
            "acme called about their claim",
            "brightsde bakery lunch with the owner, follow up friday",
            "northwind sent the invoice",
            'yesterday "harbor dental" reviewed their cover #value',
        ):
            self.out.print(f"[cyan]{sam.real_name}[/] › [bold]/touch {text}[/]")
            self.out.print(f"[green]Touchbase[/] › {self.command(sam.user_id, text)}\n")

    # Sam's calendar feed, read as a calendar app reads it

    def poll_feed(self) -> tuple[int, dict[str, tuple[dt.date, str]]]:
        """GET the feed with the ETag last seen: (status, events by UID; none on a 304)."""
        request = urllib.request.Request(
            self.base_url + self.feed_path, headers={"If-None-Match": self.feed_etag}
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                self.feed_etag = response.headers["ETag"]
                body = response.read()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, {}
        events = icalendar.Calendar.from_ical(body).walk("VEVENT")
        return 200, {str(e["UID"]): (e.decoded("DTSTART"), str(e["SUMMARY"])) for e in events}

    def calendar_feed(self) -> None:
        self.out.rule("[bold]2. Sam's calendar feed")
        sam = REPS[0]
        link = calendar.new_link(self.deps, TEAM, sam.user_id)
        assert link is not None
        self.feed_path = link.removeprefix(PUBLIC_URL)
        _, self.feed_events = self.poll_feed()
        kinds = Counter(uid.split("-")[0] for uid in self.feed_events)
        counted = ", ".join(
            f"{kinds[kind]} {one if kinds[kind] == 1 else many}"
            for kind, one, many in (
                ("renewal", "renewal", "renewals"),
                ("anniversary", "anniversary", "anniversaries"),
                ("promise", "follow-up", "follow-ups"),
                ("check", "check-in", "check-ins"),
            )
        )
        self.out.print(
            f"{sam.real_name} subscribes to {link[:48]}… in their calendar app: "
            f"{len(self.feed_events)} events ({counted}). The first {FEED_SHOWN}:"
        )
        for day, summary in sorted(self.feed_events.values())[:FEED_SHOWN]:
            self.out.print(f"  {day:%a %d %b %Y}  {summary}")
        status, _ = self.poll_feed()
        self.out.print(f"Polled again at once: {status}, nothing changed.\n")

    def calendar_changes(self) -> None:
        status, now = self.poll_feed()
        self.out.print(
            f"Sam's calendar app polls the feed again: {status}. Days gone by move on a year; "
            "kept promises and answered check-ins drop out."
        )
        gone = [self.feed_events[uid] for uid in set(self.feed_events) - set(now)]
        new = [now[uid] for uid in set(now) - set(self.feed_events)]
        for label, events in (("Gone", gone), ("New", new)):
            for day, summary in sorted(events):
                self.out.print(f"  {label}: {day:%a %d %b %Y}  {summary}")
        self.out.print()

    def quiet_count(self) -> int:
        now = self.clock.now
        with self.deps.db.transaction() as session:
            settings = repo.workspace_settings(session, TEAM)
            activities = repo.client_activity(session, TEAM, now)
        zone = {r.user_id: ZoneInfo(r.tz) for r in REPS}
        quiet = set()
        for activity in activities:
            tz = zone.get(activity.client.owner_id or "", ZoneInfo("UTC"))
            for item in due_items(
                [activity], settings, now=now, today=now.astimezone(tz).date(), tz=tz
            ):
                if item.rule is Rule.QUIET:
                    quiet.add(activity.client.id)
        return len(quiet)

    def simulate(self) -> None:
        self.out.rule(f"[bold]3. {self.weeks} weeks of mornings, day by day")
        self.summary.quiet_start = self.quiet_count()
        hours = self.weeks * 7 * 24
        progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total} days"),
            console=self.out,
            transient=True,
            disable=not self.out.is_terminal,
        )
        with progress:
            task = progress.add_task("Simulating", total=self.weeks * 7)
            for hour in range(hours):
                self.clock.now = self.start.replace(hour=0) + dt.timedelta(hours=hour)
                self.tick(progress)
                if hour % 24 == 23:
                    progress.update(
                        task, advance=1, description=f"Simulating {self.clock.now:%a %d %b}"
                    )
        self.summary.quiet_end = self.quiet_count()

    def tick(self, progress: Progress) -> None:
        now = self.clock.now
        before = {r.user_id: len(self.slack.dm_messages(r.user_id)) for r in REPS}
        nudges.run_pass(self.deps, now)
        local = now.astimezone(ZoneInfo(WORKSPACE_TZ))
        if local.weekday() == 0 and local.hour == 9:
            posted = len(self.slack.messages(RECAP_CHANNEL))
            recap.run(self.deps, now, channel=RECAP_CHANNEL)
            for message in self.slack.messages(RECAP_CHANNEL)[posted:]:
                self.summary.recaps += 1
                progress.console.rule(
                    f"[bold magenta]Weekly recap in #team-wins, {local:%A} {local.day} {local:%B}"
                )
                progress.console.print(blocks_to_text(message.get("blocks") or []) + "\n")
        for rep in REPS:
            for message in self.slack.dm_messages(rep.user_id)[before[rep.user_id] :]:
                if not message.get("blocks"):
                    continue  # a confirmation, not a digest
                week = (now - self.start).days // 7 + 1
                self.summary.dms[(rep.user_id, week)] += 1
                day = now.astimezone(ZoneInfo(rep.tz))
                progress.console.print(
                    f"[bold yellow]DM to {rep.real_name}[/] [dim]({day:%a %d %b, %H:%M} local)[/]"
                )
                progress.console.print(blocks_to_text(message["blocks"]) + "\n")
                self.act_on(rep.user_id, message, progress)

    def act_on(self, user_id: str, message: dict[str, Any], progress: Progress) -> None:
        """Reps act on most notes: a call for the first client, sometimes a snooze."""
        actions = [b for b in message["blocks"] if b.get("type") == "actions"]
        items = [b for b in message["blocks"] if str(b.get("block_id", "")).startswith("nudge:")]
        if items and self.rng.random() < 0.7:
            name = items[0]["text"]["text"].split("\n")[0].strip("*")
            note = self.rng.choice(VALUE_NOTES)
            reply = self.command(user_id, f'"{name}" {note}')
            self.summary.logged += 1
            progress.console.print(f'  [cyan]↳ /touch "{name}" {note}[/]\n  [green]{reply}[/]\n')
        if len(actions) > 1 and self.rng.random() < 0.3:
            snooze = next(e for e in actions[1]["elements"] if e.get("action_id") == SNOOZE_WEEK)
            self.click(user_id, message, snooze)
            self.summary.snoozed += 1
            progress.console.print("  [cyan]↳ Snooze a week[/] on the second client\n")

    def count_renewals(self) -> None:
        end = self.clock.now
        with self.deps.db.transaction() as session:
            clients = repo.active_clients(session, TEAM)
            touches = repo.all_touches(session, TEAM)
        for client in clients:
            if client.renewal_date is None:
                continue
            renews = next_renewal(client.renewal_date, self.start.date())
            if renews > end.date():
                continue
            since = previous_renewal(client.renewal_date, self.start.date()) or (
                renews - dt.timedelta(days=365)
            )
            self.summary.renewals += 1
            self.summary.renewals_with_value += any(
                t.client_id == client.id
                and t.kind is Kind.VALUE
                and since <= t.occurred_at.date() <= renews
                for t in touches
            )

    def count_slack_traffic(self) -> None:
        posts = [c for c in self.slack.calls_to("chat.postMessage") if c.ok]
        self.summary.channel_posts = sum(
            1 for c in posts if c.params.get("channel") == RECAP_CHANNEL
        )
        self.summary.dm_posts = len(posts) - self.summary.channel_posts

    def print_summary(self) -> None:
        self.out.rule("[bold]4. Summary")
        table = Table(title="Morning notes (DMs) per rep per week")
        table.add_column("Rep")
        for week in range(1, self.weeks + 1):
            table.add_column(f"Week {week}", justify="right")
        for rep in REPS:
            table.add_row(
                rep.real_name,
                *(str(self.summary.dms[(rep.user_id, w)]) for w in range(1, self.weeks + 1)),
            )
        self.out.print(table)
        s = self.summary
        self.out.print(f"Weekly recaps posted: {s.recaps}")
        self.out.print(
            f"Through the Slack stand-in: {s.dm_posts} DMs and {s.channel_posts} channel posts "
            "(chat.postMessage)"
        )
        self.out.print(f"Touches logged from the notes: {s.logged}; snoozes: {s.snoozed}")
        self.out.print(
            f"Clients gone quiet: {s.quiet_start} at the start, {s.quiet_end} at the end"
        )
        self.out.print(
            f"Renewals reached in these {self.weeks} weeks: {s.renewals}, "
            f"{s.renewals_with_value} of them with value-adding contact since the last renewal"
        )


def run(*, weeks: int, seed: int, keep: Path | None, console: Console | None = None) -> Summary:
    console = console or Console(highlight=False)
    started = time.monotonic()
    with _workdir(keep) as workdir:
        demo = Demo(console, workdir, weeks, seed)
        try:
            console.rule("[bold green]Touchbase demo")
            console.print(
                "The real bot, a local Slack stand-in and an SQLite database in "
                f"{workdir}. Starting {demo.start:%A %d %B %Y}.\n"
            )
            demo.seed_book()
            demo.slash_commands()
            demo.calendar_feed()
            demo.simulate()
            demo.calendar_changes()
            demo.count_renewals()
            demo.count_slack_traffic()
            demo.print_summary()
        finally:
            demo.close()
    console.print(f"[dim]Finished in {time.monotonic() - started:.1f} s.[/]")
    return demo.summary
