"""Gap analysis: the least-effort set of improvements that lifts an assessment to a target level."""

from dataclasses import dataclass, field
from decimal import Decimal

from services.assessment.index.schemas import IndexDocument, QuestionDoc
from services.assessment.scoring.engine import Answers, ScoreResult, fmt, score, to_milli


@dataclass(frozen=True)
class Improvement:
    kind: str  # question, scenario
    code: str
    effort: int
    from_level: int = 0
    to_level: int = 0
    from_options: tuple[str, ...] = ()
    to_options: tuple[str, ...] = ()
    score_gain: Decimal = Decimal(0)


@dataclass(frozen=True)
class GapPlan:
    current_level: int
    target_level: int
    reachable: bool
    effort: int
    improvements: list[Improvement] = field(default_factory=list)
    explanation: str = ""
    # Next-cheapest distinct ways to the same target, each avoiding one improvement of the best plan.
    alternatives: list["GapPlan"] = field(default_factory=list)

    def key(self) -> frozenset[tuple[str, str, int, tuple[str, ...]]]:
        return frozenset((i.kind, i.code, i.to_level, i.to_options) for i in self.improvements)


def _question_upgrades(
    question: QuestionDoc, chosen: list[str], step: int
) -> list[tuple[int, Decimal, tuple[str, ...]]]:
    """(effort, gain, new options) for every way of raising one question's answer."""
    if question.type == "single":
        current = question.option(chosen[0]) if chosen else None
        base = current.score if current else Decimal(0)
        better = sorted({o.score for o in question.options if o.score > base})
        upgrades = []
        for rank, target in enumerate(better, start=1):
            option = next(o for o in question.options if o.score == target)
            upgrades.append((rank * step, target - base, (option.key,)))
        return upgrades
    kept = [key for key in chosen if key not in question.exclusive_keys]
    candidates = sorted(
        (o for o in question.options if not o.exclusive and o.key not in kept),
        key=lambda o: (-o.score, o.key),
    )
    upgrades = []
    gain = Decimal(0)
    added: list[str] = []
    for count, option in enumerate(candidates, start=1):
        gain += option.score
        added.append(option.key)
        upgrades.append((count * step, gain, tuple(sorted(kept + added))))
    return upgrades


def _cheapest_score_gain(
    index: IndexDocument, answers: Answers, deficit: Decimal, excluded: frozenset[str] = frozenset()
) -> tuple[int, list[Improvement]] | None:
    """Group knapsack over questions (one upgrade per question), minimising effort for gain >= deficit."""
    if deficit <= 0:
        return 0, []
    need = to_milli(deficit)
    # effort -> (gain milli, improvements): the best gain for that total effort.
    best: dict[int, tuple[int, list[Improvement]]] = {0: (0, [])}
    for question in index.questions:
        if question.code in excluded:
            continue
        chosen = list(answers.options.get(question.code, ()))
        upgrades = _question_upgrades(question, chosen, index.gap_effort.question_option_step)
        merged = dict(best)
        for effort, (gain, items) in best.items():
            for extra_effort, extra_gain, options in upgrades:
                item = Improvement(
                    "question",
                    question.code,
                    extra_effort,
                    from_options=tuple(chosen),
                    to_options=options,
                    score_gain=extra_gain,
                )
                total = (effort + extra_effort, gain + to_milli(extra_gain))
                current = merged.get(total[0])
                if current is None or total[1] > current[0]:
                    merged[total[0]] = (total[1], [*items, item])
        best = merged
    for effort in sorted(best):
        gain, items = best[effort]
        if gain >= need:
            return effort, items
    return None


def _cheapest_scenarios(
    index: IndexDocument,
    levels: dict[str, int],
    target: int,
    need_total: int,
    need_mandatory: int,
    excluded: frozenset[str] = frozenset(),
) -> tuple[int, list[Improvement]] | None:
    """Raise the scenarios nearest the target first: mandatory ones for the mandatory count, then any."""
    step = index.gap_effort.scenario_level_step
    below = sorted(
        (s for s in index.scenarios if levels.get(s.code, 0) < target and s.code not in excluded),
        key=lambda s: (target - levels.get(s.code, 0), s.code),
    )
    mandatory_picks = [s for s in below if s.mandatory][:need_mandatory]
    if len(mandatory_picks) < need_mandatory:
        return None
    rest = [s for s in below if s not in mandatory_picks][: max(0, need_total - len(mandatory_picks))]
    if len(mandatory_picks) + len(rest) < need_total:
        return None
    items = [
        Improvement(
            "scenario", s.code, (target - levels.get(s.code, 0)) * step, levels.get(s.code, 0), target
        )
        for s in [*mandatory_picks, *rest]
    ]
    return sum(i.effort for i in items), items


def gap_plan(
    index: IndexDocument,
    answers: Answers,
    target_level: int,
    result: ScoreResult | None = None,
    alternatives: int = 2,
) -> GapPlan:
    result = result or score(index, answers)
    best = _plan(index, answers, target_level, result)
    if not best.reachable or not best.improvements or alternatives <= 0:
        return best
    found: dict[frozenset[tuple[str, str, int, tuple[str, ...]]], GapPlan] = {}
    for item in best.improvements:
        plan = _plan(index, answers, target_level, result, frozenset({item.code}))
        if plan.reachable and plan.key() != best.key():
            found.setdefault(plan.key(), plan)
    ranked = sorted(found.values(), key=lambda p: (p.effort, len(p.improvements), sorted(p.key())))
    best.alternatives.extend(ranked[:alternatives])
    return best


def _plan(
    index: IndexDocument,
    answers: Answers,
    target_level: int,
    result: ScoreResult,
    excluded: frozenset[str] = frozenset(),
) -> GapPlan:
    rule = next((r for r in index.level_rule.rules if r.level == target_level), None)
    if rule is None:
        return GapPlan(
            result.level, target_level, False, 0, [], f"the index has no rule for level {target_level}"
        )
    if result.level >= target_level:
        return GapPlan(
            result.level, target_level, True, 0, [], f"level {result.level} already meets {target_level}"
        )
    mandatory = {s.code for s in index.scenarios if s.mandatory}
    at = [c for c, lvl in result.scenario_levels.items() if lvl >= target_level]
    need_total = max(0, rule.min_scenarios_at_or_above_level - len(at))
    need_mandatory = max(
        0, rule.min_mandatory_scenarios_at_or_above_level - len([c for c in at if c in mandatory])
    )
    scenarios = _cheapest_scenarios(
        index, result.scenario_levels, target_level, need_total, need_mandatory, excluded
    )
    deficit = rule.min_base_score - result.base_score
    questions = _cheapest_score_gain(index, answers, deficit, excluded)
    if scenarios is None or questions is None:
        return GapPlan(result.level, target_level, False, 0, [], f"level {target_level} cannot be reached")
    items = sorted([*scenarios[1], *questions[1]], key=lambda i: (i.effort, i.kind, i.code))
    parts = []
    if deficit > 0:
        parts.append(
            f"base score needs +{fmt(deficit)} (from {fmt(result.base_score)} to {fmt(rule.min_base_score)})"
        )
    if need_total or need_mandatory:
        parts.append(
            f"{need_total} more scenarios at level ≥{target_level}, of which {need_mandatory} mandatory"
        )
    return GapPlan(
        result.level,
        target_level,
        True,
        scenarios[0] + questions[0],
        items,
        f"to reach level {target_level}: " + "; ".join(parts),
    )
