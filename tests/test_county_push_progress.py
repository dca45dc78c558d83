"""Progress of running pushes in enrollment (what GET /county/v1/pushes/{id} shows while a push runs)."""

import time

from services.enrollment.bulk import progress


class TestProgress:
    def test_a_running_push_cannot_start_twice(self) -> None:
        entry = progress.start("330784", "p-running")
        assert entry is not None
        entry.set(phase="validating", total=100_000, done=41_000)
        assert progress.start("330784", "p-running") is None
        assert progress.get("330784", "p-running") is entry
        assert progress.start("330783", "p-running") is not None  # another county's key space

    def test_answered_or_failed_pushes_may_be_sent_again(self) -> None:
        for phase in ("committing", "failed"):
            entry = progress.start("330784", f"p-{phase}")
            assert entry is not None
            entry.set(phase=phase)
            assert progress.start("330784", f"p-{phase}") is not None

    def test_finished_entries_are_forgotten_after_a_while(self) -> None:
        entry = progress.start("330784", "p-old")
        assert entry is not None
        entry.set(phase="failed")
        entry.updated = time.monotonic() - progress.KEEP_SECONDS - 1
        progress.start("330784", "p-other")
        assert progress.get("330784", "p-old") is None
