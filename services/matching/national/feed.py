from services.matching.db import infra
from services.matching.project.models import Project
from services.matching.provider.models import Provider
from services.matching.solution.models import Solution
from szcore.changefeed import ChangeLog, Snapshots, table_snapshots

feed = ChangeLog(infra.change_log)
feed.track(Provider, "provider", lambda p: p.provider_id)
feed.track(Solution, "solution", lambda s: s.solution_id)
feed.track(Project, "project", lambda p: p.project_id)

SNAPSHOTS: dict[str, Snapshots] = {
    # Related companies are the city's conflict-of-interest screening, not national data.
    "provider": table_snapshots(Provider.__table__, "provider_id", exclude=("related_usccs",)),  # type: ignore[arg-type]
    "solution": table_snapshots(Solution.__table__, "solution_id"),  # type: ignore[arg-type]
    "project": table_snapshots(Project.__table__, "project_id", exclude=("attachments",)),  # type: ignore[arg-type]
}
