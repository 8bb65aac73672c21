"""`touchbase` / `python -m bot`: one entry point for every process and admin task.

Settings are read once here and passed down. A bad setting prints one line naming the variable
and exits 2.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.error import URLError

from slack_sdk.errors import SlackApiError

from bot.config import ConfigError, Settings, load
from bot.db.engine import Database
from bot.deps import Deps, utc_now

log = logging.getLogger("bot")

EXIT_CONFIG = 2


def build_deps(settings: Settings, *, batch: bool = False) -> Deps:
    """`batch`: for the scheduler's passes and the CLI's jobs, which may read a whole book."""
    from bot.webapi import make_client

    db = Database.from_url(settings.database_url, settings.db_timeouts(batch=batch))
    return Deps(settings=settings, db=db, slack=make_client(settings))


def _serve(args: argparse.Namespace) -> int:
    from bot.db import migrate
    from bot.slack.app import create_app
    from bot.slack.web import create_wsgi_app, serve_http

    settings = load(os.environ)
    deps = build_deps(settings)
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

        log.info("Connecting to Slack in Socket Mode")
        SocketModeHandler(app, settings.app_token).start()  # type: ignore[no-untyped-call]
        return 0
    wsgi = create_wsgi_app(app, deps.db, signing_secret=settings.signing_secret)
    serve_http(wsgi, port=args.port or settings.port, host=args.host)
    return 0


def _scheduler(args: argparse.Namespace) -> int:
    from bot import scheduler

    deps = build_deps(load(os.environ), batch=True)
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
    if not value.isdigit() or not 1 <= int(value) <= 12:
        raise argparse.ArgumentTypeError("--weeks takes a whole number from 1 to 12")
    return int(value)


def _nudge(args: argparse.Namespace) -> int:
    from bot.services import nudges
    from bot.ui.render import blocks_to_text

    deps = build_deps(load(os.environ), batch=True)
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
    from bot.ui.render import blocks_to_text, mrkdwn_to_text

    settings = load(os.environ)
    channel = args.channel or settings.recap_channel
    if channel is None:
        raise ConfigError(
            "TOUCHBASE_RECAP_CHANNEL",
            "is not set; set it to the recap channel's ID (such as C0123ABCD) or pass --channel",
        )
    deps = build_deps(settings, batch=True)
    report = recap.run(deps, args.now or utc_now(), channel=channel, dry_run=args.dry_run)
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
    from bot.db import repository as repo
    from bot.services.workspace import team_id

    deps = build_deps(load(os.environ))
    team = args.team or team_id(deps.slack)
    with deps.db.transaction(write=True) as session:
        current = repo.workspace_settings(session, team)
        if args.key is not None:
            changed = workspace.change(current, args.key, args.value or "")
            if isinstance(changed, str):
                print(f"touchbase: {changed}", file=sys.stderr)
                return 1
            repo.save_workspace_settings(session, changed)
            current = changed
    for key, spec in workspace.SETTINGS.items():
        value = getattr(current, key)
        print(f"{key:20} {'none' if value is None else value!s:6}  {spec.meaning}")
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

    deps = build_deps(load(os.environ), batch=True)
    run = exporter.export_clients if args.what == "clients" else exporter.export_touches
    run(deps, sys.stdout)
    return 0


def _import(args: argparse.Namespace) -> int:
    from bot.services import importer

    deps = build_deps(load(os.environ), batch=True)
    run = importer.import_clients if args.what == "clients" else importer.import_touches
    result = run(deps, Path(args.file))
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


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="touchbase",
        description="Touchbase keeps client relationships warm, from Slack.",
    )
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

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
        "recap", help="post the weekly recap now (or as if at --now), once per week"
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
        help="post to this channel ID instead of $TOUCHBASE_RECAP_CHANNEL",
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
        "settings", help="show or change the workspace's settings (cadences, holidays, …)"
    )
    settings.add_argument("key", nargs="?", help="the setting to change, e.g. holiday_country")
    settings.add_argument("value", nargs="?", help="its new value, e.g. US")
    settings.add_argument("--team", help="workspace ID (default: the bot token's workspace)")
    settings.set_defaults(run=_settings)

    db = commands.add_parser("db", help="database schema and the client summary")
    db.add_argument(
        "action",
        choices=["upgrade", "check", "check-summary"],
        help="upgrade: apply migrations; check: models match migrations; check-summary: "
        "every client's summary against its touches (exit 1 on drift)",
    )
    db.add_argument(
        "--repair",
        action="store_true",
        help="check-summary: rebuild what drifted from the touches",
    )
    db.set_defaults(run=_db)

    imp = commands.add_parser("import", help="import clients or touches from a CSV file")
    imp.add_argument("what", choices=["clients", "touches"])
    imp.add_argument("file", help="CSV file; see the README for the columns")
    imp.set_defaults(run=_import)

    exp = commands.add_parser(
        "export", help="write clients or touches to stdout as CSV, in the import formats"
    )
    exp.add_argument("what", choices=["clients", "touches"])
    exp.set_defaults(run=_export)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(
        level=os.environ.get("TOUCHBASE_LOG_LEVEL", "INFO").upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # Alembic announces every plugin at INFO; only its warnings matter to an operator.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    args = parser().parse_args(argv)
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        return run(args)
    except ConfigError as error:
        print(f"touchbase: {error.variable} {error.expected}", file=sys.stderr)
        return EXIT_CONFIG
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
