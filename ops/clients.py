"""Machine clients (county systems, the national platform): create, list, revoke. Edits the registry file
(SZ_CLIENTS_FILE, default <data dir>/clients.json); in a cluster, apply the file to its Secret afterwards
(docs/county-api.md)."""

import argparse
import json
import sys
from pathlib import Path

from szcore.auth import Role
from szcore.credentials import ClientRegistry, RegistryError
from szcore.settings import get_settings


def registry_path(args: argparse.Namespace) -> Path:
    return args.file or get_settings().clients_path()


def create(args: argparse.Namespace) -> int:
    registry = ClientRegistry.load(registry_path(args))
    scope = {"county": args.county, "uscc": args.uscc, "provider_id": args.provider_id}
    try:
        secret = registry.create(args.client_id, args.role, scope, args.description)
    except (RegistryError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    registry.save()
    record = registry.clients[args.client_id]
    print(
        json.dumps(
            {**record.public(), "client_secret": secret, "api_key": f"{args.client_id}.{secret}"},
            ensure_ascii=False,
        )
    )
    print("The secret is shown once; only its hash is stored.", file=sys.stderr)
    return 0


def list_clients(args: argparse.Namespace) -> int:
    for record in ClientRegistry.load(registry_path(args)).list():
        if args.all or not record.revoked:
            print(json.dumps(record.public(), ensure_ascii=False))
    return 0


def revoke(args: argparse.Namespace) -> int:
    registry = ClientRegistry.load(registry_path(args))
    try:
        record = registry.revoke(args.client_id)
    except RegistryError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    registry.save()
    print(json.dumps(record.public(), ensure_ascii=False))
    return 0


def add_parser(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    p = sub.add_parser(
        "clients", help="machine clients (county systems, national platform): create, list, revoke"
    )
    actions = p.add_subparsers(dest="action", required=True)
    file_help = "registry file (default: SZ_CLIENTS_FILE, else <SZ_DATA_DIR>/clients.json)"

    c = actions.add_parser("create", help="register a client and print its secret and API key (shown once)")
    c.add_argument("client_id", help="3-64 characters a-z 0-9 - _, e.g. yongkang-county-system")
    c.add_argument("--role", required=True, choices=[role.value for role in Role])
    c.add_argument("--county", default=None, help="county code (required for county_system)")
    c.add_argument("--uscc", default=None)
    c.add_argument("--provider-id", default=None)
    c.add_argument("--description", default="", help="who runs the client")
    c.add_argument("--file", type=Path, default=None, help=file_help)
    c.set_defaults(func=lambda args: sys.exit(create(args)))

    c = actions.add_parser("list", help="list clients as JSON lines (no secrets)")
    c.add_argument("--all", action="store_true", help="include revoked clients")
    c.add_argument("--file", type=Path, default=None, help=file_help)
    c.set_defaults(func=lambda args: sys.exit(list_clients(args)))

    c = actions.add_parser("revoke", help="revoke a client: its secret, API key and new tokens stop working")
    c.add_argument("client_id")
    c.add_argument("--file", type=Path, default=None, help=file_help)
    c.set_defaults(func=lambda args: sys.exit(revoke(args)))
