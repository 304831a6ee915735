"""The ``lotse`` command line: run the bot, check and refresh content, manage the database and keys."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from bot import __version__
from bot.config import Settings, load_settings
from bot.errors import ConfigError, ContentError, LotseError

__all__ = ["main"]

logger = logging.getLogger("lotse")
EXIT_CONFIG = 2


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="configuration file (default: config.yaml)",
    )
    common.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show details of unexpected errors",
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``lotse``; ``--config`` is accepted before and after every subcommand."""
    common = _common()
    parser = argparse.ArgumentParser(
        prog="lotse", description="Lotse — a multilingual help bot for refugees.", parents=[common]
    )
    parser.add_argument("--version", action="version", version=f"lotse {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = commands.add_parser(
        "run", parents=[common], help="start the bot (without a token: against the local emulator)"
    )
    run.add_argument(
        "--console",
        action="store_true",
        help="without a token: also chat with the bot in this terminal (besides the web page)",
    )
    run.set_defaults(handler=_run)

    content = commands.add_parser(
        "content", parents=[common], help="check and maintain the content"
    )
    content_commands = content.add_subparsers(dest="content_command", metavar="ACTION")
    check = content_commands.add_parser(
        "check", parents=[common], help="check the content as an editor would"
    )
    check.add_argument(
        "path", nargs="?", help="the content folder (default: content.path of the config)"
    )
    check.add_argument("--strict", action="store_true", help="also fail on warnings")
    check.set_defaults(handler=_content_check)
    language_args = (
        ("language", {"help": "language code, e.g. ar"}),
        ("keys", {"nargs": "*", "help": "only these text keys (default: all of the language)"}),
    )
    for name, help_text, handler, arguments in (
        (
            "refresh",
            "after review: record that translations match the current German text",
            _content_refresh,
            language_args,
        ),
        (
            "review",
            "record that a native speaker reviewed translations against the current German text",
            _content_review,
            language_args,
        ),
        (
            "export-po",
            "write the texts as one gettext .po file per language for translators",
            _content_export_po,
            (("dir", {"help": "the folder to write <language>.po into"}),),
        ),
        (
            "import-po",
            "write the translations of the .po files in DIR back into the content",
            _content_import_po,
            (("dir", {"help": "the folder holding <language>.po files"}),),
        ),
    ):
        action = content_commands.add_parser(name, parents=[common], help=help_text)
        for argument, options in arguments:
            action.add_argument(argument, **options)
        action.add_argument(
            "--path", help="the content folder (default: content.path of the config)"
        )
        action.set_defaults(handler=handler)
    preview = content_commands.add_parser(
        "preview",
        parents=[common],
        help="write static HTML of every page, service card and the emergency card per language",
    )
    preview.add_argument("--out", required=True, metavar="DIR", help="the folder to write into")
    preview.add_argument(
        "--lang", action="append", metavar="L", help="only this language (repeatable; default: all)"
    )
    preview.add_argument("--path", help="the content folder (default: content.path of the config)")
    preview.set_defaults(handler=_content_preview)
    content.set_defaults(handler=lambda args: _usage(content))

    database = commands.add_parser("db", parents=[common], help="manage the database")
    database_commands = database.add_subparsers(dest="db_command", metavar="ACTION")
    upgrade = database_commands.add_parser(
        "upgrade", parents=[common], help="apply the migrations (also done on every start)"
    )
    upgrade.set_defaults(handler=_db_upgrade)
    database.set_defaults(handler=lambda args: _usage(database))

    report = commands.add_parser(
        "report", parents=[common], help="aggregates for funders (no personal data)"
    )
    report.add_argument(
        "--from", dest="start", type=_day, required=True, help="first day, YYYY-MM-DD"
    )
    report.add_argument("--to", dest="end", type=_day, required=True, help="last day, YYYY-MM-DD")
    report.add_argument("--format", choices=("csv", "md", "html"), default="md")
    report.add_argument("--output", help="write to this file (default: print)")
    report.set_defaults(handler=_report)

    keygen = commands.add_parser("keygen", parents=[common], help="print a new encryption key")
    keygen.set_defaults(handler=_keygen)
    keys = commands.add_parser("keys", parents=[common], help="manage the encryption keys")
    keys_commands = keys.add_subparsers(dest="keys_command", metavar="ACTION")
    rotate = keys_commands.add_parser(
        "rotate",
        parents=[common],
        help="re-encrypt everything with the newest key (then the older keys can go)",
    )
    rotate.set_defaults(handler=_keys_rotate)
    keys.set_defaults(handler=lambda args: _usage(keys))

    backup = commands.add_parser(
        "backup",
        parents=[common],
        help="write the whole database to a file (contents stay encrypted)",
    )
    backup.add_argument("file", help="the backup file to write, e.g. lotse-2026-12-01.jsonl.gz")
    backup.set_defaults(handler=_backup)
    restore = commands.add_parser(
        "restore", parents=[common], help="restore a backup into a new, empty database"
    )
    restore.add_argument("file", help="a file written by `lotse backup`")
    restore.set_defaults(handler=_restore)
    return parser


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return EXIT_CONFIG


def _settings(args: argparse.Namespace) -> Settings:
    path = getattr(args, "config", None)
    return load_settings(path, required=path is not None)


def _content_path(args: argparse.Namespace, explicit: str | None) -> Path:
    settings = _settings(args)  # a named --config is checked even when the path is given
    return Path(explicit) if explicit else settings.content_path


def _content_check(args: argparse.Namespace) -> int:
    from bot.content.check import check_content

    report = check_content(_content_path(args, args.path), strict=args.strict)
    print(report.format())
    return report.exit_code


def _content_refresh(args: argparse.Namespace) -> int:
    from bot.content.refresh import refresh_translations

    return _report_markers(args, refresh_translations, "marked as made from the current text")


def _content_review(args: argparse.Namespace) -> int:
    from bot.content.refresh import review_translations

    return _report_markers(args, review_translations, "marked as reviewed")


def _report_markers(args: argparse.Namespace, mark, done: str) -> int:
    """Run ``lotse content refresh`` or ``review`` and print what changed, one line each."""
    result = mark(_content_path(args, args.path), args.language, tuple(args.keys))
    for path in result.files:
        print(f"updated {path}")
    print(f"{args.language}: {len(result.updated)} translations {done}.")
    for key in result.skipped:
        print(
            f"{args.language}: {key}: could not be updated automatically; write it as text: and from:"
        )
    return 0 if not result.skipped else 1


def _content_preview(args: argparse.Namespace) -> int:
    from bot.app import LOCALES
    from bot.content.loader import load_content_or_raise
    from bot.i18n.catalogs import Catalogs
    from bot.playground.preview import write_preview

    settings = _settings(args)
    root = Path(args.path) if args.path else settings.content_path
    content = load_content_or_raise(root)
    out = Path(args.out)
    try:
        result = write_preview(
            content,
            Catalogs.load(LOCALES),
            out,
            languages=args.lang,
            media_root=root,
            timezone=settings.timezone,
        )
    except ValueError as exc:
        raise ConfigError(str(exc), source="--lang") from None
    print(
        f"{result.files} files for {', '.join(result.languages)} written; open {out / 'index.html'}"
    )


def _content_export_po(args: argparse.Namespace) -> int:
    from bot.content.pofiles import export_po

    for path in export_po(_content_path(args, args.path), Path(args.dir)):
        print(f"wrote {path}")
    return 0


def _content_import_po(args: argparse.Namespace) -> int:
    from bot.content.pofiles import import_po

    result = import_po(_content_path(args, args.path), Path(args.dir))
    for path in result.files:
        print(f"updated {path}")
    print(f"{len(result.updated)} translations written.")
    for key in result.unknown:
        print(f"{key}: the content has no such text (any more); left out")
    return 0


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-30") from None


def _report(args: argparse.Namespace) -> int:
    import asyncio

    from bot.network.report import write_report

    if args.end < args.start:
        print("lotse: --to is before --from", file=sys.stderr)
        return EXIT_CONFIG
    settings = _settings(args)
    text = asyncio.run(write_report(settings, args.start, args.end, args.format))
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {args.output}")
    else:
        print(text, end="")
    return 0


def _db_upgrade(args: argparse.Namespace) -> int:
    from bot.storage.migrate import upgrade_database_sync

    settings = _settings(args)
    upgrade_database_sync(settings.database_url)
    print("The database is up to date.")
    return 0


def _keygen(args: argparse.Namespace) -> int:
    from cryptography.fernet import Fernet

    print(Fernet.generate_key().decode())
    return 0


def _keys_rotate(args: argparse.Namespace) -> int:
    import asyncio

    from bot.contact.crypto import Cipher
    from bot.ops.rekey import reencrypt_all
    from bot.storage.database import Database
    from bot.storage.keys import encryption_keys

    settings = _settings(args)
    keys = encryption_keys(settings)
    if len(keys) < 2:
        print("Only one encryption key is configured: nothing to rotate.")
        print("Put a new key (`lotse keygen`) in front of the old one: BOT_ENCRYPTION_KEY=NEW,OLD")
        return 0

    async def rotate() -> int:
        database = Database(settings.database_url)
        try:
            return await reencrypt_all(database, Cipher.from_keys(keys))
        finally:
            await database.dispose()

    count = asyncio.run(rotate())
    print(f"{count} contents re-encrypted with the newest key; the older keys may now be removed.")
    return 0


def _backup(args: argparse.Namespace) -> int:
    import asyncio

    from bot.ops.backup import write_backup
    from bot.storage.database import Database

    settings = _settings(args)

    async def backup():
        database = Database(settings.database_url)
        try:
            return await write_backup(database, Path(args.file), database_url=settings.database_url)
        finally:
            await database.dispose()

    summary = asyncio.run(backup())
    print(f"Wrote {args.file}: {sum(summary.rows.values())} rows (schema {summary.revision}).")
    print("Contents stay encrypted: keep BOT_ENCRYPTION_KEY safe, apart from the backups.")
    return 0


def _restore(args: argparse.Namespace) -> int:
    import asyncio

    from bot.ops.backup import restore_backup
    from bot.storage.database import display_url

    settings = _settings(args)
    summary = asyncio.run(restore_backup(Path(args.file), settings.database_url))
    print(f"Restored {sum(summary.rows.values())} rows into {display_url(settings.database_url)}.")
    return 0


def _run(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if settings.production.log_format == "json":
        use_json_logs()
    from bot.app import run_bot

    return run_bot(settings, console=getattr(args, "console", False))


def configure_logging(*, debug: bool = False) -> None:
    """Log for the operator: INFO, and with --debug also Lotse's own details.

    Libraries stay at INFO even with --debug: python-telegram-bot, the HTTP clients and the
    database drivers log whole updates, requests and query parameters — message texts, names,
    phone numbers, Telegram ids — at DEBUG. Nothing a person wrote may reach the log.
    """
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger().setLevel(logging.INFO)
    logging.getLogger("bot").setLevel(logging.DEBUG if debug else logging.INFO)
    for name in ("aiohttp", "httpx", "httpcore", "alembic.runtime.plugins"):
        logging.getLogger(name).setLevel(logging.WARNING)
    # APScheduler says at INFO each time a job runs (some run every few seconds): kept for --debug.
    logging.getLogger("apscheduler").setLevel(logging.INFO if debug else logging.WARNING)


def use_json_logs() -> None:
    """Write one JSON object per log line (``production.log_format: json``)."""
    from bot.ops.logs import JsonFormatter

    for handler in logging.getLogger().handlers:
        handler.setFormatter(JsonFormatter())


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``lotse`` and ``python -m bot``; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    debug = getattr(args, "debug", False) or bool(os.environ.get("LOTSE_DEBUG"))
    configure_logging(debug=debug)
    handler = getattr(args, "handler", None)
    if handler is None:
        return _usage(parser)
    try:
        return int(handler(args) or 0)
    except ConfigError as exc:
        print(f"lotse: configuration error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except ContentError as exc:
        print("lotse: the content has errors; the bot cannot use it:", file=sys.stderr)
        for finding in exc.findings:
            if finding.is_error:
                print(f"  {finding.format()}", file=sys.stderr)
        return 1
    except LotseError as exc:
        print(f"lotse: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the operator gets one line; details with --debug
        if debug:
            logger.exception("unexpected error")
        print(
            f"lotse: unexpected error: {type(exc).__name__}: {exc} (run with --debug for details)",
            file=sys.stderr,
        )
        return 1
