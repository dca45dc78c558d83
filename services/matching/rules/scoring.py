"""Weighted scoring against a sheet whose dimensions and weights are data."""

from collections.abc import Sequence

from services.matching.rules.schemas import Dimension
from szcore.errors import FieldError, bad_request


def weighted_centi(dimensions: Sequence[Dimension], scores: dict[str, int], field: str = "scores") -> int:
    """Weighted mean of 0-100 scores, x100 and exact (weights add up to 100)."""
    expected = {d.code for d in dimensions}
    errors = [
        FieldError(f"{field}.{code}", "unknown_dimension", "not a dimension of the sheet", "评分维度不存在")
        for code in sorted(set(scores) - expected)
    ]
    errors += [
        FieldError(f"{field}.{code}", "missing_score", "score missing", "缺少评分")
        for code in sorted(expected - set(scores))
    ]
    errors += [
        FieldError(f"{field}.{code}", "score_out_of_range", "scores are 0-100", "评分须在0-100之间")
        for code, value in sorted(scores.items())
        if code in expected and not 0 <= value <= 100
    ]
    if errors:
        raise bad_request("invalid_scores", "The scores do not fit the sheet", errors)
    return sum(d.weight * scores[d.code] for d in dimensions)
