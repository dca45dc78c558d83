from services.matching.need.service import apply_gap_analysis
from szcore.bus import Subscription

gap_needs = Subscription(
    name="matching-gap-needs",
    events=[("assessment", "GapAnalysisProduced")],
    handler=apply_gap_analysis,
    description="Turns an enterprise's gap analysis into individual (X) needs",
)
