import argparse
import asyncio
import json
import sys
from pathlib import Path

from szcore.auth import Role, TokenLifetimeTooLong, issue_token
from szcore.settings import DEFAULT_PORTS, PROCESSES, SERVICES, get_settings


def cmd_migrate(args: argparse.Namespace) -> None:
    from ops.processes import MIGRATED, migrate
    from ops.progress import progress

    for service in progress(MIGRATED if args.service == "all" else [args.service], "migrating", unit="db"):
        migrate(service)
        print(f"{service}: migrated to head", file=sys.stderr)


def cmd_serve(args: argparse.Namespace) -> None:
    import uvicorn

    from ops.processes import APP_FACTORIES

    uvicorn.run(
        APP_FACTORIES[args.process],
        factory=True,
        host=args.host,
        port=args.port or DEFAULT_PORTS[args.process],
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=10,
        # C event loop and HTTP parser: ~9% less CPU per claim approval than asyncio's loop and h11
        # (docs/performance.md, sixth round).
        loop="uvloop",
        http="httptools",
    )


def cmd_relay(args: argparse.Namespace) -> None:
    from ops.relay import main

    main(args.service, host=args.host, metrics_port=args.metrics_port)


def cmd_run(args: argparse.Namespace) -> None:
    from ops.local import run_platform

    run_platform(nats_port=args.nats_port, no_nats=args.no_nats, base_port=args.base_port)


def cmd_tokens(args: argparse.Namespace) -> None:
    settings = get_settings()
    scopes = {
        Role.county_admin: {"county": args.county},
        Role.county_system: {"county": args.county},
        Role.enterprise: {"uscc": args.uscc},
        Role.provider: {"provider_id": args.provider_id},
    }
    tokens = {
        role.value: issue_token(
            settings, role, subject=f"dev-{role.value}", ttl_seconds=args.ttl, **scopes.get(role, {})
        )
        for role in Role
    }
    print(json.dumps(tokens, indent=2))


def cmd_keys(args: argparse.Namespace) -> None:
    from ops.keys import generate_key

    private, jwks, kid = generate_key(args.out, args.kid)
    print(json.dumps({"kid": kid, "private_key": str(private), "jwks": str(jwks)}))
    print(f"Set SZ_AUTH_JWKS_FILE={jwks} on every process; keep {private} secret.", file=sys.stderr)


def cmd_token(args: argparse.Namespace) -> None:
    try:
        token = issue_token(
            get_settings(),
            args.role,
            subject=args.subject,
            county=args.county,
            uscc=args.uscc,
            provider_id=args.provider_id,
            ttl_seconds=args.ttl,
            private_key_pem=args.private_key.read_text() if args.private_key else None,
            kid=args.kid,
        )
    except TokenLifetimeTooLong as exc:
        sys.exit(f"error: {exc}")
    print(token)


def cmd_rebuild(args: argparse.Namespace) -> None:
    from ops.rebuild import rebuild

    forgotten = asyncio.run(rebuild(args.service, args.consumer))
    print(
        f"{args.service}/{args.consumer}: forgot {forgotten} applied events; the running service replays the "
        "stream into its read model",
        file=sys.stderr,
    )


def cmd_dlq(args: argparse.Namespace) -> None:
    from ops.deadletters import list_dead_letters, replay_dead_letters

    if args.action == "list":
        for item in asyncio.run(list_dead_letters(args.consumer)):
            print(json.dumps(item, ensure_ascii=False))
    else:
        count = asyncio.run(replay_dead_letters(args.consumer))
        print(f"replayed {count} dead letters", file=sys.stderr)


def cmd_audit(args: argparse.Namespace) -> None:
    from ops.auditcheck import parse_anchors, verify_service
    from ops.progress import progress

    ok = True
    anchors = parse_anchors(args.anchor)
    if anchors and args.service == "all":
        sys.exit("--anchor names the chains of one service")
    for service in progress(SERVICES if args.service == "all" else [args.service], "verifying", unit="db"):
        for result in asyncio.run(verify_service(service, anchors=anchors)):
            ok &= result.ok
            print(json.dumps({"service": service, **result.__dict__}))
    sys.exit(0 if ok else 1)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m ops", description="Shuzhuan operator commands")
    sub = root.add_subparsers(dest="command", required=True)

    p = sub.add_parser("migrate", help="apply a service's database migrations (alembic upgrade head)")
    p.add_argument("service", choices=[*SERVICES, "gateway", "all"])
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("serve", help="serve one process over HTTP")
    p.add_argument("process", choices=PROCESSES)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=None, help="default: the process's standard port")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser(
        "relay", help="publish a service's outbox as a process of its own (with SZ_OUTBOX_RELAY=separate)"
    )
    p.add_argument("service", choices=SERVICES)
    p.add_argument("--host", default="127.0.0.1", help="address of the metrics endpoint")
    p.add_argument(
        "--metrics-port",
        type=int,
        default=0,
        help="serve /metrics, /healthz and /readyz on this port (default 0: none; `run` starts four relays)",
    )
    p.set_defaults(func=cmd_relay)

    p = sub.add_parser(
        "run", help="run the whole platform locally on the embedded defaults (SQLite, bundled NATS)"
    )
    p.add_argument("--nats-port", type=int, default=4250)
    p.add_argument(
        "--base-port", type=int, default=DEFAULT_PORTS["gateway"], help="gateway port; services follow"
    )
    p.add_argument("--no-nats", action="store_true", help="use SZ_NATS_URL instead of starting a NATS server")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("tokens", help="print a development bearer token for every role (dev/test only)")
    p.add_argument("--county", default="410322", help="county code for county roles")
    p.add_argument("--uscc", default="91410300MA44RB1C4P", help="USCC for the enterprise role")
    p.add_argument("--provider-id", default="provider-1")
    p.add_argument("--ttl", type=int, default=12 * 3600, help="seconds")
    p.set_defaults(func=cmd_tokens)

    p = sub.add_parser("keys", help="generate an RSA signing key and add it to a JWKS file (production auth)")
    p.add_argument("--out", type=Path, required=True, help="directory for <kid>.pem and jwks.json")
    p.add_argument("--kid", default=None, help="key id (default: random)")
    p.set_defaults(func=cmd_keys)

    p = sub.add_parser(
        "token", help="issue one bearer token, e.g. for a county system or the national platform"
    )
    p.add_argument("--role", required=True, choices=[role.value for role in Role])
    p.add_argument("--subject", default=None, help="who the token is for (client id)")
    p.add_argument("--county", default=None)
    p.add_argument("--uscc", default=None)
    p.add_argument("--provider-id", default=None)
    p.add_argument("--ttl", type=int, default=3600, help="seconds")
    p.add_argument("--private-key", type=Path, default=None, help="PEM from `keys` (else the dev secret)")
    p.add_argument("--kid", default=None, help="key id of --private-key")
    p.set_defaults(func=cmd_token)

    p = sub.add_parser("rebuild", help="rebuild a service's read model by replaying the event stream")
    p.add_argument("service", choices=SERVICES)
    p.add_argument("consumer", help="subscription name, e.g. assessment-enterprise-copy")
    p.set_defaults(func=cmd_rebuild)

    p = sub.add_parser("dlq", help="list or replay dead-lettered events")
    p.add_argument("action", choices=["list", "replay"])
    p.add_argument("--consumer", default=None, help="only this consumer's dead letters")
    p.set_defaults(func=cmd_dlq)

    p = sub.add_parser("audit", help="verify the audit chains of a service's database")
    p.add_argument("action", choices=["verify"])
    p.add_argument("service", choices=[*SERVICES, "all"])
    p.add_argument(
        "--anchor",
        action="append",
        default=[],
        metavar="CHAIN:SEQ:HASH",
        help="a chain head printed by an earlier verify of this service (head_seq, head_hash); "
        "catches records cut off the end",
    )
    p.set_defaults(func=cmd_audit)

    from ops.commands import add_commands

    add_commands(sub)

    from ops.clients import add_parser as add_clients_parser

    add_clients_parser(sub)

    from gateway.sync.cli import add_parser as add_national_parser

    add_national_parser(sub)
    return root


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    args.func(args)
