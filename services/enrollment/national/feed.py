from services.enrollment.application.models import Application
from services.enrollment.db import infra
from services.enrollment.enterprise.models import Enterprise
from services.enrollment.programme.models import Programme
from szcore.changefeed import ChangeLog, Snapshots, table_snapshots

feed = ChangeLog(infra.change_log)
feed.track(Programme, "programme", lambda p: p.id)
feed.track(Enterprise, "enterprise", lambda e: e.uscc)
feed.track(Application, "application", lambda a: a.id)

SNAPSHOTS: dict[str, Snapshots] = {
    # The programme's configuration carries its target table (目标表).
    "programme": table_snapshots(Programme.__table__, "id"),  # type: ignore[arg-type]
    "enterprise": table_snapshots(Enterprise.__table__, "uscc"),  # type: ignore[arg-type]
    # Declarations are the enterprise's form answers, not national data.
    "application": table_snapshots(Application.__table__, "id", exclude=("declarations",)),  # type: ignore[arg-type]
}
