"""A national-platform simulator: the receiving side of the push (docs/national-api.md, "Push") with faults
that tests switch on. It implements the contract on its own (hashing included), as the real platform would.

Run it as a process:  python -m tests.support.national_simulator --port 8700 [--token SECRET]
or in a test:         with SimulatorServer() as sim: ... sim.url, sim.fault("error500", count=3)

Faults are queued and consumed one per report request (`count` requests each, -1: until cleared):
  hang          wait `delay` seconds, then 504 without storing (the client should have timed out)
  timeout       store the report, then wait `delay` seconds before answering (the ack comes too late)
  slow          wait `delay` seconds, then answer normally
  error500      500 without storing          error503  503 with Retry-After, without storing
  ack_lost      store, then answer 500 (the client retries: a duplicate arrives)
  drop          store, then drop the connection in the middle of the response
  reject        422 with an error body, without storing (the validation rejection an official must fix)
  duplicate409  store, and answer duplicates with 409 + the original receipt instead of 200
"""

import argparse
import asyncio
import hashlib
import json
import re
import threading
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

import httpx
import uvicorn
from fastapi import FastAPI, Header, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel

KINDS = {
    "monthly_progress": ("metric", "value"),
    "batch_admissions": ("uscc", "county_code", "batch_id"),
    "acceptance_results": ("uscc", "level"),
    "fund_use": ("key", "paid_fen"),
}
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
FaultKind = Literal[
    "hang", "timeout", "slow", "error500", "error503", "ack_lost", "drop", "reject", "duplicate409"
]


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sha256(value: Any) -> str:
    return hashlib.sha256(canonical_json(value)).hexdigest()


class Fault(BaseModel):
    kind: FaultKind
    count: int = 1
    delay: float = 0.0


@dataclass
class Stored:
    key: str
    payload: dict[str, Any]
    body_sha256: str
    receipt: str
    received_at: float


@dataclass
class State:
    token: str | None = None
    reports: dict[str, Stored] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    requests: int = 0
    duplicates: Counter[str] = field(default_factory=Counter)
    stored: Counter[str] = field(default_factory=Counter)
    rejected: int = 0
    answer_duplicates_409: bool = False

    def next_fault(self) -> Fault | None:
        while self.faults:
            fault = self.faults[0]
            if fault.count == 0:
                self.faults.pop(0)
                continue
            if fault.count > 0:
                fault.count -= 1
            if fault.kind == "duplicate409":
                self.answer_duplicates_409 = True
                continue
            return fault
        return None


def problem(status: int, code: str, detail: str, errors: list[dict[str, Any]] | None = None) -> JSONResponse:
    body = {"type": "about:blank", "title": code, "status": status, "code": code, "detail": detail}
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def validate(payload: Any) -> list[dict[str, Any]]:
    """What the national side checks before it accepts a report."""
    if not isinstance(payload, dict):
        return [{"field": None, "code": "NOT_AN_OBJECT", "message": "The body must be a JSON object"}]
    errors = []
    kind = payload.get("kind")
    if kind not in KINDS:
        errors.append({"field": "kind", "code": "UNKNOWN_KIND", "message": f"Unknown report kind {kind!r}"})
    period = payload.get("period")
    if not isinstance(period, str) or not period or len(period) > 40:
        errors.append({"field": "period", "code": "INVALID_PERIOD", "message": "A period is required"})
    elif kind != "batch_admissions" and not MONTH.match(period):
        errors.append({"field": "period", "code": "INVALID_PERIOD", "message": "The period must be YYYY-MM"})
    if not isinstance(payload.get("revision"), int) or payload["revision"] < 1:
        errors.append({"field": "revision", "code": "INVALID_REVISION", "message": "revision must be >= 1"})
    records = payload.get("records")
    if not isinstance(records, list):
        return [*errors, {"field": "records", "code": "RECORDS_MISSING", "message": "records must be a list"}]
    if payload.get("record_count") != len(records):
        errors.append({"field": "record_count", "code": "COUNT_MISMATCH", "message": "record_count is wrong"})
    if payload.get("records_sha256") != sha256(records):
        errors.append(
            {"field": "records_sha256", "code": "HASH_MISMATCH", "message": "records_sha256 is wrong"}
        )
    for index, record in enumerate(records):
        for name in KINDS.get(str(kind), ()):
            if not isinstance(record, dict) or record.get(name) in (None, ""):
                errors.append(
                    {"field": f"records.{index}.{name}", "code": "REQUIRED", "message": f"{name} is required"}
                )
        if isinstance(record, dict) and "uscc" in record and len(str(record["uscc"])) != 18:
            errors.append(
                {
                    "field": f"records.{index}.uscc",
                    "code": "INVALID_USCC",
                    "message": "A USCC has 18 characters",
                }
            )
    return errors


def create_app(token: str | None = None) -> FastAPI:
    app = FastAPI(title="National platform simulator", version="1")
    state = State(token=token)
    app.state.sim = state

    def authorised(authorization: str | None) -> bool:
        return state.token is None or authorization == f"Bearer {state.token}"

    @app.post("/v1/reports")
    async def receive(
        request: Request,
        idempotency_key: Annotated[str | None, Header()] = None,
        authorization: Annotated[str | None, Header()] = None,
    ) -> Response:
        state.requests += 1
        if not authorised(authorization):
            return problem(401, "UNAUTHORIZED", "A valid bearer token is required")
        if not idempotency_key:
            return problem(400, "IDEMPOTENCY_KEY_REQUIRED", "Send an Idempotency-Key header")
        fault = state.next_fault()
        kind = fault.kind if fault else None
        if kind in ("hang", "slow"):
            await asyncio.sleep(fault.delay if fault else 0)
            if kind == "hang":
                return problem(504, "GATEWAY_TIMEOUT", "Gave up")
        if kind == "error500":
            return problem(500, "INTERNAL", "Simulated failure")
        if kind == "error503":
            return JSONResponse({"detail": "maintenance"}, status_code=503, headers={"Retry-After": "1"})
        body = await request.body()
        try:
            payload = json.loads(body)
        except ValueError:
            payload = None
        if kind == "reject":
            state.rejected += 1
            return problem(
                422,
                "REPORT_REJECTED",
                "The report does not pass validation",
                [{"field": "records", "code": "SIMULATED", "message": "Rejected by the simulator"}],
            )
        errors = validate(payload)
        if errors:
            state.rejected += 1
            return problem(422, "REPORT_INVALID", "The report does not pass validation", errors)
        body_sha = sha256(payload)
        existing = state.reports.get(idempotency_key)
        if existing is not None and existing.body_sha256 != body_sha:
            return problem(422, "IDEMPOTENCY_KEY_REUSED", "This key was used for another report")
        if existing is not None:
            state.duplicates[idempotency_key] += 1
            answer: dict[str, Any] = {"receipt": existing.receipt, "duplicate": True}
            status = 409 if state.answer_duplicates_409 else 200
            if status == 409:
                answer["code"] = "DUPLICATE"
        else:
            existing = Stored(idempotency_key, payload, body_sha, f"NP-{uuid.uuid4().hex[:12]}", time.time())
            state.reports[idempotency_key] = existing
            state.stored[idempotency_key] += 1
            answer, status = {"receipt": existing.receipt, "duplicate": False}, 201
        # The report is stored now; these faults lose or delay the answer, so the sender retries.
        if kind == "timeout":
            await asyncio.sleep(fault.delay if fault else 0)
        if kind == "ack_lost":
            return problem(500, "INTERNAL", "Stored, but the answer was lost")
        if kind == "drop":

            async def broken() -> AsyncIterator[bytes]:
                yield b'{"receipt": '
                raise ConnectionAbortedError("simulated connection drop")

            return StreamingResponse(broken(), status_code=status, media_type="application/json")
        return JSONResponse(answer, status_code=status)

    @app.get("/v1/reconciliation")
    async def reconciliation(
        period: str | None = None, authorization: Annotated[str | None, Header()] = None
    ) -> Response:
        if not authorised(authorization):
            return problem(401, "UNAUTHORIZED", "A valid bearer token is required")
        latest: dict[tuple[str, str], Stored] = {}
        for stored in state.reports.values():
            key = (stored.payload["kind"], stored.payload["period"])
            if period is not None and key[1] != period:
                continue
            if key not in latest or stored.payload["revision"] > latest[key].payload["revision"]:
                latest[key] = stored
        items = [
            {
                "kind": kind,
                "period": p,
                "revision": stored.payload["revision"],
                "count": len(stored.payload["records"]),
                "sha256": sha256(stored.payload["records"]),
                "receipt": stored.receipt,
            }
            for (kind, p), stored in sorted(latest.items())
        ]
        return JSONResponse({"period": period, "items": items})

    # --- control (tests only; not part of the national contract) ---

    @app.post("/_control/faults")
    async def add_faults(faults: list[Fault]) -> dict[str, int]:
        state.faults.extend(faults)
        return {"queued": len(state.faults)}

    @app.delete("/_control/faults")
    async def clear_faults() -> dict[str, int]:
        state.faults.clear()
        state.answer_duplicates_409 = False
        return {"queued": 0}

    @app.post("/_control/reset")
    async def reset() -> dict[str, str]:
        state.__dict__.update(State(token=state.token).__dict__)
        return {"status": "reset"}

    @app.get("/_control/received")
    async def received() -> dict[str, Any]:
        return {
            "requests": state.requests,
            "rejected": state.rejected,
            "stored": dict(state.stored),
            "duplicates": dict(state.duplicates),
            "reports": [
                {"key": s.key, "receipt": s.receipt, "payload": s.payload} for s in state.reports.values()
            ],
        }

    @app.post("/_control/tamper")
    async def tamper(body: dict[str, Any]) -> dict[str, str]:
        """Plant a difference: drop the last record of a stored report or change its first one
        (`action`: drop_record, change_record), or store a report never sent (`plant`: its payload)."""
        if body.get("plant"):
            payload = body["plant"]
            key = f"planted-{uuid.uuid4().hex[:8]}"
            state.reports[key] = Stored(key, payload, sha256(payload), f"NP-{key}", time.time())
            return {"key": key}
        stored = state.reports[body["key"]]
        records = list(stored.payload["records"])
        if body.get("action", "drop_record") == "drop_record":
            records = records[:-1]
        else:
            records[0] = {**records[0], "tampered": True}
        stored.payload = {**stored.payload, "records": records}
        return {"key": stored.key}

    return app


class SimulatorServer:
    """The simulator on a real socket in a background thread: timeouts and dropped connections are real."""

    def __init__(self, token: str | None = None, port: int | None = None) -> None:
        from tests.support.natsserver import free_port

        self.port = port or free_port()
        self.token = token
        self.app = create_app(token)
        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=self.port, log_level="warning", access_log=False, lifespan="off"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.control = httpx.Client(base_url=self.url, timeout=10)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "SimulatorServer":
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise TimeoutError("the national simulator did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.control.close()

    def fault(self, kind: str, count: int = 1, delay: float = 0.0) -> None:
        self.faults([{"kind": kind, "count": count, "delay": delay}])

    def faults(self, faults: list[dict[str, Any]]) -> None:
        self.control.post("/_control/faults", json=faults).raise_for_status()

    def clear_faults(self) -> None:
        self.control.delete("/_control/faults").raise_for_status()

    def reset(self) -> None:
        self.control.post("/_control/reset").raise_for_status()

    def received(self) -> dict[str, Any]:
        return self.control.get("/_control/received").raise_for_status().json()  # type: ignore[no-any-return]

    def tamper(self, key: str, action: str = "drop_record") -> None:
        self.control.post("/_control/tamper", json={"key": key, "action": action}).raise_for_status()

    def plant(self, payload: dict[str, Any]) -> str:
        return str(
            self.control.post("/_control/tamper", json={"plant": payload}).raise_for_status().json()["key"]
        )


def main() -> None:
    parser = argparse.ArgumentParser(description="National platform simulator (receiving side of the push)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8700)
    parser.add_argument("--token", default=None, help="bearer token the simulator requires (default: none)")
    args = parser.parse_args()
    uvicorn.run(create_app(args.token), host=args.host, port=args.port, log_level="info")


if __name__ == "__main__":
    main()
