"""Pure retry policy and circuit breaker for the push: no I/O, time passed in, tested on their own."""

import random
from dataclasses import dataclass
from enum import StrEnum


def backoff_delay(
    attempt: int, base: float, cap: float, rand: random.Random | None = None, retry_after: float | None = None
) -> float:
    """Seconds to wait before attempt `attempt + 1` after `attempt` failed ones: exponential growth capped
    at `cap`, "equal jitter" (half fixed, half random) so that replicas spread out but never retry at once;
    a server's Retry-After is honoured as a floor."""
    rand = rand or random.Random()
    ceiling = min(cap, base * 2 ** max(0, attempt - 1))
    delay = ceiling / 2 + rand.uniform(0, ceiling / 2)
    if retry_after is not None:
        delay = max(delay, min(retry_after, cap))
    return delay


class BreakerState(StrEnum):
    closed = "closed"
    open = "open"
    half_open = "half_open"


@dataclass
class CircuitBreaker:
    """Opens after `threshold` consecutive failures; after `cooldown` seconds lets one trial through
    (half-open): success closes it, failure opens it again for another cool-down."""

    threshold: int
    cooldown: float
    state: BreakerState = BreakerState.closed
    failures: int = 0
    opened_at: float = 0.0
    trial_in_flight: bool = False

    def allow(self, now: float) -> bool:
        if self.state == BreakerState.closed:
            return True
        if self.state == BreakerState.open:
            if now - self.opened_at < self.cooldown:
                return False
            self.state = BreakerState.half_open
            self.trial_in_flight = False
        if self.trial_in_flight:
            return False
        self.trial_in_flight = True
        return True

    def record_success(self) -> None:
        self.state = BreakerState.closed
        self.failures = 0
        self.trial_in_flight = False

    def record_failure(self, now: float) -> None:
        self.failures += 1
        self.trial_in_flight = False
        if self.state == BreakerState.half_open or self.failures >= self.threshold:
            self.state = BreakerState.open
            self.opened_at = now

    def retry_in(self, now: float) -> float:
        """Seconds until the breaker lets a request through (0 when it does now)."""
        if self.state != BreakerState.open:
            return 0.0
        return max(0.0, self.cooldown - (now - self.opened_at))

    def cancel_trial(self) -> None:
        """The request the breaker let through was not made (nothing to send)."""
        self.trial_in_flight = False
