"""Operator commands for presets, programmes, people's tokens and the embedded platform's backups
(registered on `python -m ops` by ops/cli.py)."""

import argparse
import asyncio
import json
import sys
from pathlib import Path

from szcore.auth import Role
from szcore.settings import SERVICES, get_settings


def service_name(value: str) -> str:
    if value not in SERVICES:
        raise argparse.ArgumentTypeError(f"invalid choice: {value!r} (choose from {', '.join(SERVICES)})")
    return value


def cmd_seed(args: argparse.Namespace) -> None:
    from ops.seed import seed

    outcomes = asyncio.run(seed(args.service or SERVICES))
    for outcome in outcomes:
        print(json.dumps(outcome.as_dict(), ensure_ascii=False))
    added = sum(o.status == "added" for o in outcomes)
    print(f"{added} presets stored, {len(outcomes) - added} unchanged", file=sys.stderr)


def cmd_programme_export(args: argparse.Namespace) -> None:
    from ops.programme import export_programme

    try:
        document = asyncio.run(export_programme(args.code, args.policy, args.with_enterprises))
    except LookupError as exc:
        sys.exit(f"error: {exc.args[0]}")
    args.out.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    content = document["content"]
    print(
        f"{args.code}: programme version {content['programme']['version']}, {len(content['policies'])} "
        f"policies, {len(content['rules'])} rule documents"
        + (f", {len(content['enterprises'])} enterprises" if "enterprises" in content else "")
        + f" -> {args.out}",
        file=sys.stderr,
    )


def cmd_programme_import(args: argparse.Namespace) -> None:
    from ops.programme import ExportFileError, import_programme, read_file

    try:
        content = read_file(args.file)
    except ExportFileError as exc:
        sys.exit(f"error: {exc}")
    for result in asyncio.run(import_programme(content)):
        print(json.dumps(vars(result), ensure_ascii=False))


def cmd_users(args: argparse.Namespace) -> None:
    from ops.users import UserError, create_user, list_users

    settings = get_settings()
    if args.action == "list":
        for issued in list_users(settings, args.register, args.all):
            print(json.dumps(issued, ensure_ascii=False))
        return
    try:
        token, record = create_user(
            settings,
            Role(args.role),
            args.subject,
            {"county": args.county, "uscc": args.uscc, "provider_id": args.provider_id},
            args.ttl,
            args.private_key.read_text() if args.private_key else None,
            args.kid,
            args.register,
        )
    except (UserError, RuntimeError) as exc:
        sys.exit(f"error: {exc}")
    print(token)
    print(f"issued to {record.subject} ({record.role}), expires {record.expires_at}", file=sys.stderr)


def cmd_backup(args: argparse.Namespace) -> None:
    from ops.backup import BackupError, backup

    try:
        manifest = backup(get_settings(), args.out)
    except BackupError as exc:
        sys.exit(f"error: {exc}")
    print(
        json.dumps(
            {k: manifest[k] for k in ("databases", "skipped")}
            | {"jetstream": manifest.get("jetstream"), "streams": manifest.get("streams")}
        )
    )


def cmd_restore(args: argparse.Namespace) -> None:
    from ops.backup import BackupError, restore

    try:
        manifest = restore(get_settings(), args.directory)
    except BackupError as exc:
        sys.exit(f"error: {exc}")
    print(
        f"restored {', '.join(manifest['databases'])}"
        + (" and JetStream" if manifest.get("jetstream") or manifest.get("streams") else "")
        + f" from {args.directory} ({manifest['created_at']}); start it, then `ops audit verify all`",
        file=sys.stderr,
    )


def add_commands(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    p = sub.add_parser(
        "seed",
        help="store the shipped presets (programmes, MIIT index, policies, matching rules); idempotent",
        description="Store each service's presets (services/<service>/presets/) in its database. A preset is "
        "stored only if that exact document was never stored: re-running changes nothing, a changed preset "
        "becomes a new version. Prints one JSON line per preset.",
    )
    p.add_argument(
        "service", nargs="*", type=service_name, help=f"only these ({', '.join(SERVICES)}; default: all)"
    )
    p.set_defaults(func=cmd_seed)

    p = sub.add_parser("programme", help="export a programme to a file or import one (between environments)")
    actions = p.add_subparsers(dest="action", required=True)
    e = actions.add_parser(
        "export",
        help="write a programme, its policies and its matching rules to a checksummed JSON file",
        description="Export the programme's current configuration (batches, targets, review steps, ...), the "
        "latest version of its city's subsidy policies and the matching rules scoped to it. Enterprises' "
        "dossiers (personal data) only with --with-enterprises.",
    )
    e.add_argument("code", help="programme id, e.g. luoyang-2025")
    e.add_argument("--out", type=Path, required=True, help="file to write (JSON)")
    e.add_argument(
        "--policy",
        action="append",
        default=None,
        help="policy key to include (repeatable; default: the city's)",
    )
    e.add_argument(
        "--with-enterprises", action="store_true", help="include the dossiers of the programme's enterprises"
    )
    e.set_defaults(func=cmd_programme_export)
    i = actions.add_parser(
        "import",
        help="import a file written by `programme export` (idempotent)",
        description="Refuses a damaged or foreign file. Stores each document only if it is not there yet; "
        "enterprises already registered here are left as they are. Prints one JSON line per item.",
    )
    i.add_argument("file", type=Path)
    i.set_defaults(func=cmd_programme_import)

    p = sub.add_parser(
        "users",
        help="issue a bearer token to a person, or list the tokens issued (people normally sign in via SSO)",
        description="People normally come through the city's identity provider (its keys in "
        "SZ_AUTH_JWKS_FILE). This issues a token where there is none yet. Machine clients: `ops clients`.",
    )
    actions = p.add_subparsers(dest="action", required=True)
    c = actions.add_parser("create", help="issue a token for a person and record it (not the token)")
    c.add_argument("--role", required=True, choices=[r.value for r in Role])
    c.add_argument("--subject", required=True, help="who the person is, e.g. an employee id or e-mail")
    c.add_argument("--county", default=None, help="county code (county_admin)")
    c.add_argument("--uscc", default=None, help="the enterprise's USCC (enterprise)")
    c.add_argument("--provider-id", default=None, help="the provider's id (provider)")
    c.add_argument("--ttl", type=int, default=8 * 3600, help="seconds (default: 8 hours)")
    c.add_argument("--private-key", type=Path, default=None, help="PEM from `keys` (else the dev secret)")
    c.add_argument("--kid", default=None, help="key id of --private-key")
    c.add_argument("--register", type=Path, default=None, help="default: $SZ_DATA_DIR/issued-tokens.jsonl")
    c.set_defaults(func=cmd_users)
    ls = actions.add_parser("list", help="the tokens issued that have not expired (JSON lines)")
    ls.add_argument("--all", action="store_true", help="include expired ones")
    ls.add_argument("--register", type=Path, default=None, help="default: $SZ_DATA_DIR/issued-tokens.jsonl")
    ls.set_defaults(func=cmd_users)

    p = sub.add_parser(
        "backup",
        help="back up the embedded platform (SQLite and JetStream, while it runs or not)",
        description="Copies every SQLite database with SQLite's online backup API (consistent while the "
        "platform runs), the bundled NATS server's streams (snapshots while it runs, else its store), and "
        "the client and token registers, into a new directory with a checksummed manifest. PostgreSQL and "
        "a NATS cluster: see docs/operations.md.",
    )
    p.add_argument("--out", type=Path, required=True, help="a new (or empty) directory")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser(
        "restore",
        help="restore a backup of the embedded platform (stop the platform first)",
        description="Checks the manifest's checksums, then replaces the SQLite databases, the JetStream "
        "store and the registers with the backup's.",
    )
    p.add_argument("directory", type=Path)
    p.set_defaults(func=cmd_restore)
