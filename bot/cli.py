"""`touchbase` / `python -m bot`: one entry point for every process and admin task.

Settings are read once here and passed down. A bad setting prints one line naming the variable
and exits 2.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import re
import shlex
import sqlite3
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from urllib.error import URLError

from slack_sdk.errors import SlackApiError

from bot import logs, metrics
from bot.config import ConfigError, Settings, load, log_settings
from bot.core.model import CLI_ACTOR, Client
from bot.core.record_id import record_id
from bot.db import sqlite_file
from bot.db.engine import Database, normalize_url
from bot.deps import Deps, utc_now

log = logging.getLogger("bot")

EXIT_CONFIG = 2
# A restore while Touchbase runs, or Touchbase while a restore runs.
EXIT_IN_USE = 2
# Something that can't be undone, asked for without --yes.
EXIT_UNCONFIRMED = 2


@contextmanager
def one_shot(settings: Settings, *, batch: bool = True) -> Iterator[Deps]:
    """Deps for a command that runs once: its database connections are closed at the end."""
    deps = build_deps(settings, batch=batch)
    try:
        yield deps
    finally:
        deps.db.dispose()


def build_deps(settings: Settings, *, batch: bool = False, **pool: int) -> Deps:
    """`batch`: for the scheduler's passes and the CLI's jobs, which may read a whole book.
    `pool`: the connection pool's size, if not SQLAlchemy's default."""
    from bot.installations import InstallationStore, Workspaces
    from bot.webapi import make_client

    db = Database.from_url(settings.database_url, settings.db_timeouts(batch=batch), **pool)
    workspaces = None
    if settings.oauth:
        assert settings.client_id is not None and settings.token_key is not None
        store = InstallationStore(settings.client_id, db.engine, settings.token_key)
        workspaces = Workspaces(settings, store)
    return Deps(settings=settings, db=db, slack=make_client(settings), workspaces=workspaces)


class Refused(Exception):
    """The command can't go ahead as asked; the message says why, in one line."""


def _team_of(deps: Deps, given: str | None) -> str:
    """The workspace a command acts for: --team, which OAuth mode requires and which must name
    an installed workspace; for a single workspace, by default the bot token's."""
    from bot.services.workspace import team_id

    if deps.workspaces is None:
        return given or team_id(deps.slack)
    if given is None:
        raise Refused(
            "Touchbase serves many workspaces here (OAuth mode): say which with --team, "
            "such as --team T0123ABCD"
        )
    if given not in deps.workspaces.installed():
        raise Refused(f"Touchbase isn't installed in workspace {given}")
    return given


def _serve(args: argparse.Namespace) -> int:
    from bot.db import migrate
    from bot.slack import deadline, guard
    from bot.slack.app import create_app
    from bot.slack.calendar import feeds
    from bot.slack.web import create_wsgi_app, serve_http

    settings = load(os.environ)
    # A connection kept for each thread that may hold one at once (the listeners' and the
    # deadline pool's), so a busy minute doesn't open and close connections past the default
    # five; the overflow serves the request threads (calendar feeds).
    deps = build_deps(settings, pool_size=guard.WORK_SLOTS + deadline.THREADS)
    if deps.db.dialect == "sqlite":
        # The embedded default has no release phase, so it brings its own schema up to date.
        migrate.upgrade(deps.db.engine)
    app = create_app(deps)
    if not args.no_scheduler:
        from bot import scheduler

        # A pool of its own, with the batch jobs' statement timeout.
        scheduler.build(build_deps(settings, batch=True), blocking=False).start()
        log.info("The scheduler runs in this process (use --no-scheduler to turn it off)")
    if settings.app_token:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        if settings.metrics_port:  # no web app to serve /metrics
            metrics.serve(settings.metrics_port)
        log.info("Connecting to Slack in Socket Mode")
        SocketModeHandler(app, settings.app_token).start()  # type: ignore[no-untyped-call]
        return 0
    wsgi = create_wsgi_app(
        app, deps.db, signing_secret=settings.signing_secret, calendar=feeds(deps)
    )
    serve_http(wsgi, port=args.port or settings.port, host=args.host)
    return 0


def _scheduler(args: argparse.Namespace) -> int:
    from bot import scheduler

    settings = load(os.environ)
    deps = build_deps(settings, batch=True)
    if settings.metrics_port:
        metrics.serve(settings.metrics_port)
    log.info("Scheduler started: nudge pass every %d minutes", deps.settings.nudge_interval_minutes)
    scheduler.build(deps, blocking=True).start()
    return 0


def _instant(value: str) -> dt.datetime:
    """--now as an aware UTC datetime; a value without a zone is taken as UTC."""
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--now “{value}” isn't an ISO 8601 time, such as 2026-11-23T09:30:00+00:00"
        ) from None
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def _weeks(value: str) -> int:
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= 12:
        raise argparse.ArgumentTypeError("--weeks takes a whole number from 1 to 12")
    return int(value)


def _nudge(args: argparse.Namespace) -> int:
    from bot.services import nudges
    from bot.ui.render import blocks_to_text

    with one_shot(load(os.environ)) as deps:
        report = nudges.run_pass(deps, args.now or utc_now(), dry_run=args.dry_run)
    for planned in report.planned:
        heading = (
            f"── DM to {planned.rep.display_name or planned.rep.user_id} "
            f"({planned.local_date:%A %d %B}) "
        )
        print(heading.ljust(72, "─"))
        print(blocks_to_text(planned.message.blocks))
        print()
    if args.dry_run:
        print(
            f"Dry run: {len(report.planned)} digest(s) would be sent; nothing was sent or recorded."
        )
    else:
        print(
            f"{report.sent} sent, {report.already_claimed} already sent, "
            f"{report.retry_later} to retry on the next pass, {report.failed} failed."
        )
    if report.unknown:
        one = report.unknown == 1
        noun, they, their = ("note", "it", "its") if one else ("notes", "they", "their")
        print(
            f"{report.unknown} morning {noun} may or may not have reached Slack (it didn't answer "
            f"in time); {they} won't be sent again, and {their} clients come back in the next "
            f"working day's {noun}."
        )
    if report.busy:
        print(
            f"{report.busy} skipped: another run holds an unfinished claim on them (see the "
            "log); that run sends them, or a later pass does if that run never finishes."
        )
    return 0


def _channel(value: str) -> str:
    """--channel, checked like TOUCHBASE_RECAP_CHANNEL."""
    try:
        channel = load({"TOUCHBASE_RECAP_CHANNEL": value}, needs_slack=False).recap_channel
    except ConfigError:
        channel = None
    if channel is None:
        raise argparse.ArgumentTypeError(
            f"--channel “{value}” isn't a channel ID; expected one such as C0123ABCD"
        )
    return channel


def _recap(args: argparse.Namespace) -> int:
    from bot.services import recap
    from bot.services.settings import stored
    from bot.ui.render import blocks_to_text, mrkdwn_to_text

    settings = load(os.environ)
    with one_shot(settings) as deps:
        team = _team_of(deps, args.team)
        channel = args.channel or stored(deps, team).effective_recap_channel(settings.defaults)
        if channel is None and settings.oauth:
            raise Refused(
                f"workspace {team} has no recap channel: an admin picks one in its Home tab, or "
                f"`touchbase settings --team {team} recap_channel C0123ABCD`; or pass --channel"
            )
        if channel is None:
            raise ConfigError(
                "TOUCHBASE_RECAP_CHANNEL",
                "is not set; set it to the recap channel's ID (such as C0123ABCD), or the "
                "workspace's recap_channel setting, or pass --channel",
            )
        report = recap.run(
            deps, args.now or utc_now(), channel=channel, dry_run=args.dry_run, team=team
        )
    week = report.week
    span = f"{week.first_day:%A %d %B} to {week.last_day:%A %d %B %Y}"
    if report.message is not None and args.dry_run:
        print(f"── Weekly recap for {channel} ({span}) ".ljust(72, "─"))
        print(blocks_to_text(report.message.blocks))
        print()
        print(f"Notification text: {mrkdwn_to_text(report.message.text)}")
        print()
        already = " (and this week's recap was already posted)" if report.already_sent else ""
        print(f"Dry run: nothing was posted or recorded{already}.")
        return 0
    outcomes = {
        "sent": f"Posted the weekly recap for {span} to {channel}.",
        "already_sent": f"The weekly recap for {span} was already posted; nothing was sent.",
        "not_posted": "The weekly recap wasn't posted; see the log line above for what to do.",
        "retry_later": "Slack couldn't be reached; nothing was posted. Run it again later.",
        "failed": "Slack refused the weekly recap; see the log line above.",
        "busy": (
            "Another run is posting the weekly recap and hasn't finished; this one posted "
            "nothing. Run it again later."
        ),
        "unknown": (
            f"Slack didn't answer in time, so the weekly recap for {span} may or may not be in "
            f"{channel}: check the channel. It won't be posted again this week."
        ),
    }
    print(outcomes.get(report.outcome, report.outcome))
    return 0 if report.outcome in {"sent", "already_sent"} else 1


def _demo(args: argparse.Namespace) -> int:
    from bot.devtools import demo

    # The demo prints the story itself; the bot's own INFO logs would drown it.
    logging.getLogger().setLevel(logging.WARNING)
    demo.run(weeks=args.weeks, seed=args.seed, keep=args.keep)
    return 0


def _settings(args: argparse.Namespace) -> int:
    from bot.core import workspace
    from bot.services import settings

    with one_shot(load(os.environ), batch=False) as deps:
        team = _team_of(deps, args.team)
        if args.key is None:
            current = settings.stored(deps, team)
        else:
            changed = settings.change(deps, team, {args.key: args.value or ""}, CLI_ACTOR)
            if isinstance(changed, dict):
                print(f"touchbase: {changed[args.key]}", file=sys.stderr)
                return 1
            current = changed
        for key, spec in workspace.SETTINGS.items():
            print(f"{key:20} {workspace.shown(current, key):6}  {spec.meaning}")
        if args.key is None:
            defaults = deps.settings.defaults
            print(
                f"In effect: recap channel {current.effective_recap_channel(defaults) or 'none'}"
                f", time zone {current.effective_timezone(defaults)}, admins "
                f"{', '.join(sorted(current.effective_admins(defaults))) or 'none'} (besides "
                "Slack's admins and owners)."
            )
        return 0


def _manifest(args: argparse.Namespace) -> int:
    import yaml

    from bot.manifest import manifest

    print(yaml.safe_dump(manifest(args.url), sort_keys=False, allow_unicode=True), end="")
    return 0


def _tokens(args: argparse.Namespace) -> int:
    from cryptography.fernet import Fernet

    from bot.config import fernet_key
    from bot.installations import rekey

    if args.action == "newkey":
        print(Fernet.generate_key().decode())
        return 0
    settings = load(os.environ, needs_slack=False)
    new = os.environ.get("TOUCHBASE_NEW_TOKEN_KEY", "").strip()
    if settings.token_key is None:
        raise ConfigError("TOUCHBASE_TOKEN_KEY", "is not set; expected the key the tokens have now")
    if not fernet_key(new):
        raise ConfigError(
            "TOUCHBASE_NEW_TOKEN_KEY", "should be the new Fernet key (`touchbase tokens newkey`)"
        )
    db = Database.from_url(settings.database_url, settings.db_timeouts(batch=True))
    try:
        count = rekey(db.engine, settings.token_key, new)
    except ValueError as error:
        print(f"touchbase: {error}; nothing was changed", file=sys.stderr)
        return 1
    finally:
        db.dispose()
    print(
        f"Re-encrypted {count:,} stored installations. Now set TOUCHBASE_TOKEN_KEY to the new key "
        "and restart Touchbase."
    )
    return 0


def _db(args: argparse.Namespace) -> int:
    from alembic.util import AutogenerateDiffsDetected, CommandError

    from bot.db import migrate

    settings = load(os.environ, needs_slack=False)
    db = Database.from_url(settings.database_url, settings.db_timeouts(batch=True))
    try:
        if args.action == "check-summary":
            return _check_summary(db, repair=args.repair)
        if args.action == "upgrade":
            migrate.upgrade(db.engine)
            print("The database schema is up to date.")
        else:
            migrate.check(db.engine)
            print("The models and the migrations agree.")
    except AutogenerateDiffsDetected as diff:
        print(f"touchbase: the models and the migrations differ: {diff}", file=sys.stderr)
        return 1
    except CommandError as error:
        print(
            f"touchbase: {str(error).rstrip('.')}; run `touchbase db upgrade` first",
            file=sys.stderr,
        )
        return 1
    finally:
        db.dispose()
    return 0


# What to run on PostgreSQL instead of `touchbase db backup|restore PATH`.
POSTGRES_INSTEAD = {
    "backup": ['pg_dump --format=custom --no-owner --file={path} "$DATABASE_URL"'],
    "restore": [
        "# Stop Touchbase's processes (web and clock) first, and start them again after.",
        'pg_restore --clean --if-exists --no-owner --single-transaction --dbname="$DATABASE_URL" '
        "{path}",
    ],
}


def _database_file(action: str, copy: Path) -> Path | None:
    """The embedded database's file; None, having printed what to run instead, on PostgreSQL."""
    from sqlalchemy import make_url

    url = make_url(normalize_url(load(os.environ, needs_slack=False).database_url))
    path = sqlite_file.path_of(url)
    if path is None and url.get_backend_name() == "sqlite":
        raise ConfigError("DATABASE_URL", "is an in-memory database, with no file to copy")
    if path is None:
        print(f"The database is PostgreSQL: use its own tools to {action} it, for example:")
        for line in POSTGRES_INSTEAD[action]:
            print("  " + line.format(path=shlex.quote(str(copy))))
    return path


def _db_backup(args: argparse.Namespace) -> int:
    path = _database_file("backup", args.path)
    if path is None:
        return 1
    try:
        sqlite_file.backup(path, args.path)
    except FileNotFoundError:
        print(f"touchbase: there is no database at {path}", file=sys.stderr)
        return 1
    except (OSError, sqlite3.Error, sqlite_file.NotACopy) as error:
        print(f"touchbase: couldn't back up {path} to {args.path}: {error}", file=sys.stderr)
        return 1
    size = args.path.stat().st_size
    print(f"Backed up {path} to {args.path} ({size:,} bytes; it passes an integrity check).")
    return 0


def _db_restore(args: argparse.Namespace) -> int:
    path = _database_file("restore", args.path)
    if path is None:
        return 1
    if not args.yes:
        print(
            f"touchbase: restoring replaces everything in {path} with {args.path}; "
            "to go ahead, run it again with --yes",
            file=sys.stderr,
        )
        return EXIT_IN_USE
    try:
        sqlite_file.restore(args.path, path)
    except sqlite_file.NotACopy as error:
        print(f"touchbase: {error}; nothing was restored", file=sys.stderr)
        return 1
    print(
        f"Restored {path} from {args.path}. Start Touchbase again: `touchbase serve` brings an "
        "older copy's schema up to date."
    )
    return 0


def _check_summary(db: Database, *, repair: bool) -> int:
    from bot.services import summary

    report = summary.check(db, utc_now(), repair=repair)
    checked = f"{report.drifted:,} of {report.checked:,} client summaries had drifted"
    if report.drifted and not repair:
        print(
            f"touchbase: {checked} ({report.drift}), so the nudge pass could miss a nudge; "
            "run `touchbase db check-summary --repair` to rebuild them from the touches",
            file=sys.stderr,
        )
        return 1
    if report.drifted:
        print(f"{checked} ({report.drift}); rebuilt them from the touches.")
    else:
        noun = "summary" if report.checked == 1 else "summaries"
        print(f"Checked {report.checked:,} client {noun}: none had drifted.")
    return 0


def _export(args: argparse.Namespace) -> int:
    from bot.services import exporter

    if (args.what == "client") != (args.name is not None):
        print(
            "touchbase: export client needs the client's name, such as: "
            'touchbase export client "Acme Insurance Group"'
            if args.name is None
            else f"touchbase: export {args.what} takes no name",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    with one_shot(load(os.environ)) as deps:
        team = _team_of(deps, args.team)
        if args.what == "client":
            client = _the_client(deps, team, args.name)
            if isinstance(client, str):
                print(f"touchbase: {client}", file=sys.stderr)
                return 1
            exporter.export_client(deps, client, sys.stdout)
            return 0
        run = exporter.export_clients if args.what == "clients" else exporter.export_touches
        run(deps, sys.stdout, team)
        return 0


def _import(args: argparse.Namespace) -> int:
    from bot.services import importer

    with one_shot(load(os.environ)) as deps:
        run = importer.import_clients if args.what == "clients" else importer.import_touches
        result = run(deps, Path(args.file), _team_of(deps, args.team))
        if result.errors:
            count = len(result.errors)
            noun = "problem" if count == 1 else "problems"
            print(f"{args.file}: {count} {noun}, so nothing was imported:", file=sys.stderr)
            for error in result.errors:
                print(f"  {error}", file=sys.stderr)
            return 1
        print(
            f"Imported {args.what} from {args.file}: {result.created} new, "
            f"{result.updated} updated, {result.unchanged} already there."
        )
        return 0


def _day(value: str) -> dt.datetime:
    """--since: the start of a day, in UTC."""
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--since “{value}” isn't a date such as 2026-11-23"
        ) from None
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def _the_client(deps: Deps, team: str, name: str) -> Client | str:
    """The one client called `name` in full, or what's wrong."""
    from bot.services import privacy

    with deps.db.transaction() as session:
        found = privacy.clients_named(session, team, name)
    if len(found) == 1:
        return found[0]
    if found:
        listed = ", ".join(f"{c.name} (client {c.id})" for c in found)
        return f"several clients are called “{name}”: {listed}; give the full name"
    return f"no client is called “{name}” (its name or an alias, in full)"


def _erase(args: argparse.Namespace) -> int:
    from bot.services import erasure

    with one_shot(load(os.environ), batch=False) as deps:
        team = _team_of(deps, args.team)
        client = _the_client(deps, team, args.name)
        if isinstance(client, str):
            print(f"touchbase: {client}", file=sys.stderr)
            return 1
        if not args.yes:
            print(
                f"touchbase: erasing removes {client.name} (client {client.id}) and everything "
                "about it for good; to go ahead, run it again with --yes",
                file=sys.stderr,
            )
            return EXIT_UNCONFIRMED
        erased = erasure.erase(deps, team, client.id, CLI_ACTOR)
        dialect = deps.db.dialect
    if erased is None:  # erased meanwhile
        print(f"touchbase: client {client.id} is already erased", file=sys.stderr)
        return 1
    *most, last = erasure.counted(erased)
    print(
        f"Erased {client.name} (client {client.id}): {', '.join(most)} and {last}. "
        f"The audit log keeps only that client {client.id} was erased."
    )
    if dialect == "postgresql":
        print(
            "PostgreSQL keeps the deleted rows' bytes in its files until VACUUM reclaims them "
            "(autovacuum does, soon); backups keep them until they age out."
        )
    return 0


def _retention(args: argparse.Namespace) -> int:
    from bot.services import retention

    with one_shot(load(os.environ)) as deps:
        runs = retention.run(deps, args.now or utc_now(), CLI_ACTOR)
    for run in runs:
        noun = "note" if run.notes == 1 else "notes"
        print(f"{run.team_id}: removed the text of {run.notes} {noun} older than {run.days} days.")
    if not runs:
        print(
            "Note retention is off in every workspace (touchbase settings note_retention_days "
            "730 turns it on); no note was changed."
        )
    return 0


def _audit(args: argparse.Namespace) -> int:
    from bot.db import repository as repo

    with one_shot(load(os.environ), batch=False) as deps:
        team = _team_of(deps, args.team)
        client_id = None
        if args.client is not None:
            # An erased client is gone but for its id in the log.
            client_id = record_id(args.client)
            if client_id is None:
                client = _the_client(deps, team, args.client)
                if isinstance(client, str):
                    print(
                        f"touchbase: {client}; an erased client is known by its id alone, "
                        "such as --client 12",
                        file=sys.stderr,
                    )
                    return 1
                client_id = client.id
        with deps.db.transaction() as session:
            entries = repo.audit_entries(session, team, since=args.since, client_id=client_id)
    for entry in entries:
        client_words = f"client {entry.client_id}" if entry.client_id is not None else "-"
        fields = [f"{entry.at:%Y-%m-%d %H:%M:%S}Z", entry.actor, entry.action, client_words]
        print("  ".join([*fields, *([entry.detail] if entry.detail else [])]))
    if not entries:
        print("No audit entries.")
    return 0


def _calendar(args: argparse.Namespace) -> int:
    from bot.services import calendar
    from bot.services.reps import ensure_rep

    settings = load(os.environ)
    if args.action == "url" and settings.public_url is None:
        raise ConfigError(
            "TOUCHBASE_PUBLIC_URL",
            "is not set; set it to the server's public base URL, such as "
            "https://touchbase.example.com, to make calendar links",
        )
    with one_shot(settings, batch=False) as deps:
        team = _team_of(deps, args.team)
        if args.action == "revoke":
            if calendar.revoke(deps, team, args.user):
                print(f"Revoked the calendar link of {args.user}: it now answers 404.")
            else:
                print(f"{args.user} has no calendar link; nothing was changed.")
            return 0
        # Slack says who they are and their zone, which the feed's days are in.
        rep = ensure_rep(deps, team, args.user, deps.clock())
        if not rep.active:
            print(
                f"touchbase: Slack says {args.user} is no longer in the workspace", file=sys.stderr
            )
            return 1
        url = calendar.new_link(deps, team, args.user)
    print(url)
    print(
        "Shown once: only a hash of it is kept. Any link made before for this rep no longer works.",
        file=sys.stderr,
    )
    return 0


def _user(value: str) -> str:
    if not re.fullmatch(r"[UW][A-Z0-9]{2,}", value):
        raise argparse.ArgumentTypeError(f"“{value}” isn't a Slack user ID such as U0123ABCD")
    return value


def _team(value: str) -> str:
    if not re.fullmatch(r"T[A-Z0-9]{2,}", value):
        raise argparse.ArgumentTypeError(f"“{value}” isn't a workspace ID such as T0123ABCD")
    return value


def _public_url(value: str) -> str:
    # Slack sends its requests only to https:// URLs.
    if not re.fullmatch(r"https://[^/\s?#]+(/[^\s?#]*)?", value):
        raise argparse.ArgumentTypeError(
            f"“{value}” isn't an https:// URL such as https://your.host"
        )
    return value.rstrip("/")


def _purge(args: argparse.Namespace) -> int:
    from bot.services import uninstall

    if not args.yes:
        print(
            f"touchbase: this deletes everything Touchbase stores for workspace {args.team}, for "
            "good; to go ahead, run it again with --yes",
            file=sys.stderr,
        )
        return EXIT_UNCONFIRMED
    settings = load(os.environ, needs_slack=False)
    db = Database.from_url(settings.database_url, settings.db_timeouts(batch=True))
    try:
        report = uninstall.purge_workspace(db, args.team, utc_now())
    finally:
        db.dispose()
    if not report.total:
        print(f"Nothing was stored for workspace {args.team}.")
        return 0
    tables = ", ".join(f"{name} {count:,}" for name, count in sorted(report.rows.items()) if count)
    print(f"Purged workspace {args.team}: {report.total:,} rows deleted ({tables}).")
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="touchbase",
        description="Touchbase keeps client relationships warm, from Slack.",
    )
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    # For the commands that act for one workspace.
    team = argparse.ArgumentParser(add_help=False)
    team.add_argument(
        "--team",
        type=_team,
        default=None,
        metavar="TEAM_ID",
        help="the workspace, such as T0123ABCD (required in OAuth mode; by default the bot "
        "token's)",
    )

    serve = commands.add_parser("serve", help="run the Slack app (HTTP, or Socket Mode)")
    serve.add_argument(
        "--port", type=int, default=None, help="port to listen on (default $PORT or 3000)"
    )
    serve.add_argument("--host", default="0.0.0.0", help="address to bind (default 0.0.0.0)")
    serve.add_argument(
        "--no-scheduler",
        action="store_true",
        help="don't run the scheduler in this process (run `touchbase scheduler`)",
    )
    serve.set_defaults(run=_serve)

    scheduler = commands.add_parser(
        "scheduler", help="run the scheduler alone (one per deployment: the Procfile's clock:)"
    )
    scheduler.set_defaults(run=_scheduler)

    nudge = commands.add_parser("nudge", help="run one nudge pass now (or as if at --now)")
    nudge.add_argument(
        "--now",
        type=_instant,
        default=None,
        metavar="ISO8601",
        help="pretend the clock reads this instant, e.g. 2026-11-23T14:00:00Z",
    )
    nudge.add_argument(
        "--dry-run",
        action="store_true",
        help="print each digest instead of sending or recording it",
    )
    nudge.set_defaults(run=_nudge)

    recap = commands.add_parser(
        "recap",
        help="post the weekly recap now (or as if at --now), once per week",
        parents=[team],
    )
    recap.add_argument(
        "--now",
        type=_instant,
        default=None,
        metavar="ISO8601",
        help="pretend the clock reads this instant, e.g. 2026-11-23T09:00:00Z",
    )
    recap.add_argument(
        "--dry-run",
        action="store_true",
        help="print the recap instead of posting or recording it",
    )
    recap.add_argument(
        "--channel",
        type=_channel,
        default=None,
        metavar="ID",
        help="post to this channel ID instead of the workspace's recap channel",
    )
    recap.set_defaults(run=_recap)

    demo = commands.add_parser(
        "demo", help="see the whole bot work on this machine: no Slack account needed"
    )
    demo.add_argument("--weeks", type=_weeks, default=4, help="weeks to simulate (default 4)")
    demo.add_argument("--seed", type=int, default=1, help="seed for the story (default 1)")
    demo.add_argument(
        "--keep",
        type=Path,
        default=None,
        metavar="DIR",
        help="keep the database in DIR instead of a temporary directory",
    )
    demo.set_defaults(run=_demo)

    settings = commands.add_parser(
        "settings",
        help="show or change the workspace's settings (cadences, holidays, recap channel, …)",
        parents=[team],
    )
    settings.add_argument("key", nargs="?", help="the setting to change, e.g. holiday_country")
    settings.add_argument("value", nargs="?", help="its new value, e.g. US")
    settings.set_defaults(run=_settings)

    manifest = commands.add_parser(
        "manifest", help="print the Slack app manifest for a Touchbase serving many workspaces"
    )
    manifest.add_argument(
        "--url", type=_public_url, required=True, help="its public URL, e.g. https://your.host"
    )
    manifest.set_defaults(run=_manifest)

    tokens = commands.add_parser("tokens", help="the stored workspace tokens (OAuth mode)")
    token_actions = tokens.add_subparsers(dest="action", required=True, metavar="ACTION")
    token_actions.add_parser("newkey", help="print a new key for TOUCHBASE_TOKEN_KEY")
    token_actions.add_parser(
        "rekey", help="re-encrypt every token with the key in TOUCHBASE_NEW_TOKEN_KEY"
    )
    tokens.set_defaults(run=_tokens)

    db = commands.add_parser("db", help="database schema, client summary, backup and restore")
    actions = db.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser("upgrade", help="apply the migrations").set_defaults(run=_db)
    actions.add_parser("check", help="check that the models match the migrations").set_defaults(
        run=_db
    )
    check_summary = actions.add_parser(
        "check-summary",
        help="every client's summary against its touches (exit 1 on drift)",
    )
    check_summary.add_argument(
        "--repair", action="store_true", help="rebuild what drifted from the touches"
    )
    check_summary.set_defaults(run=_db)
    backup = actions.add_parser(
        "backup", help="copy the embedded SQLite database to PATH, while Touchbase runs"
    )
    backup.add_argument("path", type=Path, metavar="PATH")
    backup.set_defaults(run=_db_backup)
    restore = actions.add_parser(
        "restore", help="replace the embedded SQLite database with the copy at PATH"
    )
    restore.add_argument("path", type=Path, metavar="PATH")
    restore.add_argument(
        "--yes", action="store_true", help="yes: replace everything in the database"
    )
    restore.set_defaults(run=_db_restore)

    imp = commands.add_parser(
        "import", help="import clients or touches from a CSV file", parents=[team]
    )
    imp.add_argument("what", choices=["clients", "touches"])
    imp.add_argument("file", help="CSV file; see the README for the columns")
    imp.set_defaults(run=_import)

    exp = commands.add_parser(
        "export",
        help="write clients or touches, or all of one client's data, to stdout as CSV",
        parents=[team],
    )
    exp.add_argument("what", choices=["clients", "touches", "client"])
    exp.add_argument(
        "name", nargs="?", metavar="NAME", help="for export client: its name or an alias, in full"
    )
    exp.set_defaults(run=_export)

    erase = commands.add_parser(
        "erase", help="erase a client and everything about it, on request (GDPR)", parents=[team]
    )
    erase.add_argument("what", choices=["client"])
    erase.add_argument("name", metavar="NAME", help="the client's name or an alias, in full")
    erase.add_argument("--yes", action="store_true", help="yes: erase it for good")
    erase.set_defaults(run=_erase)

    retention = commands.add_parser(
        "retention", help="remove the text of notes older than note_retention_days (daily)"
    )
    retention.add_argument(
        "--now",
        type=_instant,
        default=None,
        metavar="ISO8601",
        help="pretend the clock reads this instant, e.g. 2026-11-23T03:00:00Z",
    )
    retention.set_defaults(run=_retention)

    audit = commands.add_parser(
        "audit",
        help="print the audit log: who did what to which client, and when",
        parents=[team],
    )
    audit.add_argument(
        "--since", type=_day, default=None, metavar="DATE", help="from this day on (YYYY-MM-DD)"
    )
    audit.add_argument(
        "--client", default=None, metavar="NAME", help="only this client (its name, or its id)"
    )
    audit.set_defaults(run=_audit)

    calendar = commands.add_parser("calendar", help="a rep's private calendar feed link")
    feed_actions = calendar.add_subparsers(dest="action", required=True, metavar="ACTION")
    for action, words in (
        ("url", "make a new link for the rep and print it (any old link stops working)"),
        ("revoke", "turn the rep's link off"),
    ):
        chosen = feed_actions.add_parser(action, help=words, parents=[team])
        chosen.add_argument("user", type=_user, metavar="USER_ID", help="such as U0123ABCD")
        chosen.set_defaults(run=_calendar)

    purge = commands.add_parser("purge", help="delete everything stored for a workspace, now")
    purged = purge.add_subparsers(dest="what", required=True, metavar="WHAT")
    workspace = purged.add_parser(
        "workspace",
        help="a workspace that uninstalled Touchbase (otherwise purged "
        "TOUCHBASE_PURGE_AFTER_DAYS after)",
    )
    workspace.add_argument("team", type=_team, metavar="TEAM_ID", help="such as T0123ABCD")
    workspace.add_argument("--yes", action="store_true", help="yes: delete it all, for good")
    workspace.set_defaults(run=_purge)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        how = log_settings(os.environ)
        logs.configure(how.format, how.level)
        return run(args)
    except ConfigError as error:
        print(f"touchbase: {error.variable} {error.expected}", file=sys.stderr)
        return EXIT_CONFIG
    except Refused as error:
        print(f"touchbase: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except sqlite_file.InUse as error:
        print(f"touchbase: {error}", file=sys.stderr)
        return EXIT_IN_USE
    except SlackApiError as error:
        code = error.response.get("error") or error.response.status_code
        hint = " Check SLACK_BOT_TOKEN." if code in {"invalid_auth", "not_authed"} else ""
        print(f"touchbase: Slack refused the request ({code}).{hint}", file=sys.stderr)
        return 1
    except URLError as error:
        print(
            f"touchbase: couldn't reach Slack ({error.reason}). Check SLACK_API_URL and the "
            "network.",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        return 130
