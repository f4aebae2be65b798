"""`liaison-bot backup --out FILE` and `liaison-bot restore FILE [--force]`: the database and its files in one archive.

The archive format and why it was chosen: `bot.services.backup.archive`.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from bot.cli.db import shown_url
from bot.config import ConfigError, load_config

_PERSONAL = (
    "The archive holds personal data (liaisons' names, phone numbers, e-mail addresses, their reports and files): "
    "it is written readable by its owner only (mode 0600); keep it that way, and store and send it as such."
)
_BACKUP = (
    "Write one .tar.gz archive: a consistent snapshot of the database (safe while the bot runs: SQLite through its "
    "online backup API, PostgreSQL in one repeatable-read transaction), every attachment file the database refers "
    "to (each checked against its SHA-256) and a manifest (schema revision, time, rows per table, backend). "
    "Exit codes: 0 written; 1 attachment files missing or damaged (they are named; nothing is written); "
    "2 configuration or database problem. " + _PERSONAL
)
_RESTORE = (
    "Restore an archive made by `liaison-bot backup` into the configured database and files folder, SQLite or "
    "PostgreSQL whichever the backup came from. An empty database is first migrated to the archive's schema "
    "revision (and to the newest one afterwards). The archive is checked whole before anything is written, and "
    "the rows go in in one transaction: all or nothing. Stop the bot first. Exit codes: 0 restored; 1 the database "
    "is not empty (--force replaces its contents); 2 the archive is damaged, truncated or from an unknown schema "
    "revision, or the database cannot take it (nothing was changed). " + _PERSONAL
)


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `backup` and `restore`."""
    b = sub.add_parser("backup", help="write the database and attachment files to one archive (mode 0600: personal data)",
                       description=_BACKUP)
    b.add_argument("--out", required=True, type=Path, metavar="FILE.tar.gz", help="the archive to write (replaced if it exists)")
    b.add_argument("--config", default=None, help="config file (default: $LIAISON_BOT_CONFIG, else ./config.toml or /etc/liaison-bot/config.toml)")
    b.add_argument("--allow-missing-files", action="store_true",
                   help="back up even if attachment files are missing or damaged (listed in the manifest)")
    b.set_defaults(func=run_backup)
    r = sub.add_parser("restore", help="restore an archive made by `backup` into an empty database (or --force)",
                       description=_RESTORE)
    r.add_argument("archive", type=Path, metavar="FILE.tar.gz")
    r.add_argument("--config", default=None, help="config file (default: $LIAISON_BOT_CONFIG, else ./config.toml or /etc/liaison-bot/config.toml)")
    r.add_argument("--force", action="store_true", help="replace whatever the database holds")
    r.set_defaults(func=run_restore)


def _settings(config_path: str | None) -> tuple[str, Path]:
    """The database URL and the files folder (LIAISON_BOT_DATABASE_URL / LIAISON_BOT_FILES_DIR override the config)."""
    from bot.services.submissions.files import FILES_DIR_ENV

    config = load_config(config_path)
    return config.database.url, Path(os.environ.get(FILES_DIR_ENV) or config.files.dir)


def _config_failed(e: ConfigError) -> int:
    print(e, file=sys.stderr)
    return 2


def run_backup(args: argparse.Namespace) -> int:
    """Write the archive."""
    from bot.clock import SystemClock
    from bot.services.backup.archive import BackupError, create_backup

    try:
        url, files_dir = _settings(args.config)
    except ConfigError as e:
        return _config_failed(e)
    try:
        result = create_backup(url, files_dir, args.out, now=SystemClock().now(), allow_missing=args.allow_missing_files)
    except BackupError as e:
        print(f"backup not written: {e}", file=sys.stderr)
        return e.exit_code
    except OSError as e:
        print(f"backup not written: {e}", file=sys.stderr)
        return 2
    rows = sum(result.counts.values())
    print(f"{result.path}: {result.backend} database {shown_url(url)} at revision {result.revision}, "
          f"{rows} rows in {len(result.counts)} tables, {result.files} files (mode 0600: personal data)")
    for storage_path in result.missing_files:
        print(f"warning: attachment file left out (missing or damaged): {storage_path}", file=sys.stderr)
    return 0


def run_restore(args: argparse.Namespace) -> int:
    """Restore the archive."""
    from bot.services.backup.archive import BackupError, BadArchive, restore_backup

    try:
        url, files_dir = _settings(args.config)
    except ConfigError as e:
        return _config_failed(e)
    if not args.archive.is_file():
        print(f"{args.archive}: no such file", file=sys.stderr)
        return 2
    try:
        result = restore_backup(url, files_dir, args.archive, force=args.force)
    except BadArchive as e:
        print(f"{args.archive}: refused, nothing was restored: {e}", file=sys.stderr)
        return 2
    except BackupError as e:
        print(f"{args.archive}: not restored: {e}", file=sys.stderr)
        return e.exit_code
    except OSError as e:
        print(f"{args.archive}: not restored: {e}", file=sys.stderr)
        return 2
    rows = sum(result.counts.values())
    migrated = f", then migrated to {result.migrated_to}" if result.migrated_to else ""
    replaced = " (its previous contents replaced)" if result.replaced else ""
    print(f"restored {args.archive} into {shown_url(url)}{replaced}: revision {result.revision}{migrated}, "
          f"{rows} rows in {len(result.counts)} tables, {result.files} files into {files_dir}")
    return 0
