"""The push's pure parts: backoff with jitter, the circuit breaker, how national answers are read."""

import random
from typing import Any

import pytest

from gateway.sync.content import build_payload, content_sha256, idempotency_key, records_sha256
from gateway.sync.national import Verdict, classify, retry_after
from gateway.sync.reconcile import Holding, compare
from gateway.sync.resilience import BreakerState, CircuitBreaker, backoff_delay


class TestBackoff:
    def test_grows_exponentially_within_jitter_bounds(self) -> None:
        rand = random.Random(7)
        for attempt in range(1, 8):
            ceiling = min(100.0, 1.0 * 2 ** (attempt - 1))
            for _ in range(50):
                delay = backoff_delay(attempt, 1.0, 100.0, rand)
                assert ceiling / 2 <= delay <= ceiling

    def test_is_capped(self) -> None:
        assert all(backoff_delay(40, 1.0, 30.0, random.Random(i)) <= 30.0 for i in range(100))

    def test_jitter_spreads_replicas(self) -> None:
        delays = {round(backoff_delay(5, 1.0, 100.0, random.Random(seed)), 6) for seed in range(20)}
        assert len(delays) > 15

    def test_retry_after_is_a_floor_but_capped(self) -> None:
        assert backoff_delay(1, 1.0, 100.0, random.Random(1), retry_after=20) == 20
        assert backoff_delay(1, 1.0, 10.0, random.Random(1), retry_after=3600) == 10

    def test_retry_after_header_forms(self) -> None:
        assert retry_after("7") == 7
        assert retry_after(None) is None
        assert retry_after("soon") is None
        assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0


class TestCircuitBreaker:
    def test_opens_after_threshold_consecutive_failures(self) -> None:
        breaker = CircuitBreaker(threshold=3, cooldown=10)
        for now in (0, 1):
            assert breaker.allow(now)
            breaker.record_failure(now)
        assert breaker.state == BreakerState.closed
        breaker.record_failure(2)
        assert breaker.state == BreakerState.open
        assert not breaker.allow(5)
        assert breaker.retry_in(5) == 7

    def test_a_success_resets_the_count(self) -> None:
        breaker = CircuitBreaker(threshold=2, cooldown=10)
        breaker.record_failure(0)
        breaker.record_success()
        breaker.record_failure(1)
        assert breaker.state == BreakerState.closed

    def test_half_open_lets_one_trial_through(self) -> None:
        breaker = CircuitBreaker(threshold=1, cooldown=10)
        breaker.record_failure(0)
        assert breaker.allow(10)
        assert breaker.state == BreakerState.half_open
        assert not breaker.allow(10.5)

    def test_trial_success_closes(self) -> None:
        breaker = CircuitBreaker(threshold=1, cooldown=10)
        breaker.record_failure(0)
        assert breaker.allow(11)
        breaker.record_success()
        assert breaker.state == BreakerState.closed
        assert breaker.allow(11) and breaker.allow(11)

    def test_trial_failure_reopens_for_another_cooldown(self) -> None:
        breaker = CircuitBreaker(threshold=5, cooldown=10)
        for now in range(5):
            breaker.record_failure(now)
        assert breaker.allow(15)
        breaker.record_failure(15)
        assert breaker.state == BreakerState.open
        assert not breaker.allow(20)
        assert breaker.allow(25)

    def test_a_cancelled_trial_frees_the_slot(self) -> None:
        breaker = CircuitBreaker(threshold=1, cooldown=1)
        breaker.record_failure(0)
        assert breaker.allow(2)
        breaker.cancel_trial()
        assert breaker.allow(2)


class TestClassify:
    @pytest.mark.parametrize("status", [200, 201, 202])
    def test_success_is_delivered_with_the_receipt(self, status: int) -> None:
        result = classify(status, {"receipt": "NP-1"})
        assert (result.verdict, result.receipt) == (Verdict.delivered, "NP-1")

    def test_duplicate_with_receipt_is_delivered(self) -> None:
        assert classify(409, {"receipt": "NP-1", "code": "DUPLICATE"}).verdict == Verdict.delivered

    @pytest.mark.parametrize("status", [400, 409, 413, 422])
    def test_validation_refusals_are_rejections_with_the_error_kept(self, status: int) -> None:
        body = {"code": "REPORT_INVALID", "detail": "bad", "errors": [{"field": "records.0.uscc"}]}
        result = classify(status, body)
        assert result.verdict == Verdict.rejected
        assert result.error == {
            "status": status,
            "code": "REPORT_INVALID",
            "detail": "bad",
            "errors": body["errors"],
        }

    @pytest.mark.parametrize("status", [401, 403, 404, 408, 429, 500, 502, 503, 504])
    def test_everything_else_is_retried(self, status: int) -> None:
        result = classify(status, {}, "3")
        assert result.verdict == Verdict.retry
        assert result.retry_after == 3


class TestContent:
    def test_hash_is_canonical(self) -> None:
        assert records_sha256([{"b": 1, "a": "数"}]) == records_sha256([{"a": "数", "b": 1}])

    def test_payload_carries_count_and_hash(self) -> None:
        records = [{"metric": "x", "value": 1}]
        payload = build_payload("monthly_progress", "2026-10", 2, "330700", records, {})
        assert payload["record_count"] == 1
        assert payload["records_sha256"] == records_sha256(records)
        assert payload["schema"] == "shuzhuan.national.monthly_progress/v1"

    def test_content_hash_ignores_revision(self) -> None:
        assert content_sha256([{"a": 1}], {"s": 1}) != content_sha256([{"a": 2}], {"s": 1})

    def test_idempotency_key_names_kind_period_and_revision(self) -> None:
        assert idempotency_key("330700", "fund_use", "2026-10", 3) == "sz-330700-fund_use-2026-10-r3"


class TestCompare:
    def holding(self, kind: str = "fund_use", period: str = "2026-10", **changes: Any) -> Holding:
        values: dict[str, Any] = {"kind": kind, "period": period, "revision": 1, "count": 3, "sha256": "a"}
        values.update(changes)
        return Holding(**values)

    def test_equal_holdings_have_no_difference(self) -> None:
        assert compare([self.holding()], [self.holding()]) == []

    @pytest.mark.parametrize(
        ("changes", "problem"),
        [({"revision": 2}, "revision"), ({"count": 2}, "count"), ({"sha256": "b"}, "hash")],
    )
    def test_each_kind_of_difference(self, changes: dict[str, Any], problem: str) -> None:
        (difference,) = compare([self.holding()], [self.holding(**changes)])
        assert difference.problem == problem

    def test_missing_on_either_side(self) -> None:
        differences = compare([self.holding(period="2026-09")], [self.holding(period="2026-10")])
        assert [(d.period, d.problem) for d in differences] == [
            ("2026-09", "missing_remote"),
            ("2026-10", "missing_local"),
        ]
