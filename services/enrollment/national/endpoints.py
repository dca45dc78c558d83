from services.enrollment.national.feed import SNAPSHOTS, feed
from szcore.changefeed import changes_router
from szcore.service import get_session

router = changes_router(feed, SNAPSHOTS, get_session)
