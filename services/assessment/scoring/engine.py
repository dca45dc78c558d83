"""Answers → scores → maturity level, as pure functions over an index document (no I/O).

Scores stay Decimal throughout; the smallest option score step is 0.001 points, so `milli` integers
(points x 1000) are exact and are what gets stored."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from services.assessment.index.schemas import IndexDocument, LevelRuleEntry

MAX_SCENARIO_LEVEL = 4


@dataclass(frozen=True)
class AnswerError:
    code: str  # question or scenario code
    error: str  # snake_case
    message: str
    message_zh: str


class InvalidAnswers(Exception):
    def __init__(self, errors: list[AnswerError]) -> None:
        super().__init__("; ".join(f"{e.code}: {e.message}" for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class Answers:
    """Chosen option keys per question code, and the level reached per scenario code (0-4)."""

    options: Mapping[str, Sequence[str]]
    scenario_levels: Mapping[str, int]


@dataclass(frozen=True)
class Node:
    code: str
    name: str
    score: Decimal
    max_score: Decimal


@dataclass(frozen=True)
class ThresholdCheck:
    kind: str  # base_score, scenarios, mandatory_scenarios
    required: Decimal
    actual: Decimal
    met: bool

    @property
    def shortfall(self) -> Decimal:
        return max(Decimal(0), self.required - self.actual)


@dataclass(frozen=True)
class LevelCheck:
    level: int
    name: str
    met: bool
    checks: list[ThresholdCheck]
    text: str


@dataclass(frozen=True)
class ScoreResult:
    index_code: str
    questions: list[Node]
    indicators: list[Node]
    dimensions: list[Node]
    base_score: Decimal
    scenario_levels: dict[str, int]
    level: int
    level_checks: list[LevelCheck] = field(default_factory=list)

    @property
    def base_score_milli(self) -> int:
        return to_milli(self.base_score)

    @property
    def base_score_centi(self) -> int:
        return int((self.base_score * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))

    @property
    def explanation(self) -> str:
        return " | ".join(check.text for check in self.level_checks)


def to_milli(value: Decimal) -> int:
    return int(value * 1000)


def fmt(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text


def validate_answers(index: IndexDocument, answers: Answers, *, require_complete: bool = True) -> None:
    """Raise InvalidAnswers listing every problem, each with the question or scenario code."""
    errors: list[AnswerError] = []
    questions = {q.code: q for q in index.questions}
    for code in answers.options:
        if code not in questions:
            errors.append(
                AnswerError(code, "unknown_question", "not a question of this index", "指标中无此题")
            )
    for question in index.questions:
        chosen = list(answers.options.get(question.code, ()))
        if not chosen:
            if require_complete and question.required:
                errors.append(
                    AnswerError(question.code, "answer_missing", "this question must be answered", "此题必答")
                )
            continue
        unknown = [key for key in chosen if question.option(key) is None]
        if unknown:
            errors.append(
                AnswerError(
                    question.code,
                    "unknown_option",
                    f"unknown option(s) {', '.join(map(str, unknown))}",
                    f"选项不存在: {', '.join(map(str, unknown))}",
                )
            )
            continue
        if len(set(chosen)) != len(chosen):
            errors.append(
                AnswerError(question.code, "option_repeated", "an option is chosen twice", "选项重复")
            )
        elif question.type == "single" and len(chosen) != 1:
            errors.append(
                AnswerError(question.code, "single_choice", "choose exactly one option", "单选题只能选一项")
            )
        elif len(chosen) > 1 and question.exclusive_keys & set(chosen):
            errors.append(
                AnswerError(
                    question.code,
                    "exclusive_option",
                    "'无' cannot be combined with others",
                    "“无”不能与其他选项同选",
                )
            )
    scenario_codes = {s.code for s in index.scenarios}
    for code, level in answers.scenario_levels.items():
        if code not in scenario_codes:
            errors.append(
                AnswerError(code, "unknown_scenario", "not a scenario of this index", "指标中无此场景")
            )
        elif isinstance(level, bool) or not isinstance(level, int) or not 0 <= level <= MAX_SCENARIO_LEVEL:
            errors.append(
                AnswerError(
                    code, "scenario_level_out_of_range", "scenario level must be 0-4", "场景等级须为0-4"
                )
            )
    if errors:
        raise InvalidAnswers(errors)


def question_score(index: IndexDocument, code: str, chosen: Sequence[str]) -> Decimal:
    question = next(q for q in index.questions if q.code == code)
    total = Decimal(0)
    for key in chosen:
        option = question.option(key)
        assert option is not None
        total += option.score
    return total


def _check_level(
    rule: LevelRuleEntry, base: Decimal, levels: dict[str, int], mandatory: set[str]
) -> LevelCheck:
    reached = [code for code, level in levels.items() if level >= rule.level]
    reached_mandatory = [code for code in reached if code in mandatory]
    checks = [
        ThresholdCheck("base_score", rule.min_base_score, base, base >= rule.min_base_score),
        ThresholdCheck(
            "scenarios",
            Decimal(rule.min_scenarios_at_or_above_level),
            Decimal(len(reached)),
            len(reached) >= rule.min_scenarios_at_or_above_level,
        ),
        ThresholdCheck(
            "mandatory_scenarios",
            Decimal(rule.min_mandatory_scenarios_at_or_above_level),
            Decimal(len(reached_mandatory)),
            len(reached_mandatory) >= rule.min_mandatory_scenarios_at_or_above_level,
        ),
    ]
    met = all(c.met for c in checks)
    base_check, scen_check, mand_check = checks
    parts = [
        f"base score {fmt(base)} {'≥' if base_check.met else '<'} {fmt(rule.min_base_score)}"
        + ("" if base_check.met else f" (short by {fmt(base_check.shortfall)})"),
        f"{len(reached)} scenarios at level ≥{rule.level}, {rule.min_scenarios_at_or_above_level} needed"
        + ("" if scen_check.met else f" (short by {fmt(scen_check.shortfall)})"),
        f"of which {len(reached_mandatory)} mandatory, "
        f"{rule.min_mandatory_scenarios_at_or_above_level} needed"
        + ("" if mand_check.met else f" (short by {fmt(mand_check.shortfall)})"),
    ]
    verdict = "met" if met else "not met"
    return LevelCheck(
        rule.level, rule.name, met, checks, f"level {rule.level} {verdict}: " + "; ".join(parts)
    )


def level_for(index: IndexDocument, base: Decimal, levels: dict[str, int]) -> tuple[int, list[LevelCheck]]:
    """Rules are checked from the highest level down; the first one met wins (0 if none)."""
    mandatory = {s.code for s in index.scenarios if s.mandatory}
    checks = [_check_level(rule, base, levels, mandatory) for rule in index.rules_descending]
    level = next((check.level for check in checks if check.met), 0)
    return level, checks


def score(index: IndexDocument, answers: Answers) -> ScoreResult:
    validate_answers(index, answers)
    questions: list[Node] = []
    indicators: list[Node] = []
    dimensions: list[Node] = []
    for dimension in index.dimensions:
        dimension_total = Decimal(0)
        for indicator in dimension.indicators:
            indicator_total = Decimal(0)
            for question in indicator.questions:
                value = question_score(index, question.code, answers.options.get(question.code, ()))
                questions.append(Node(question.code, question.title, value, question.points))
                indicator_total += value
            indicators.append(Node(indicator.code, indicator.name, indicator_total, indicator.points))
            dimension_total += indicator_total
        dimensions.append(Node(dimension.code, dimension.name, dimension_total, dimension.points))
    base = sum((d.score for d in dimensions), Decimal(0))
    levels = {s.code: int(answers.scenario_levels.get(s.code, 0)) for s in index.scenarios}
    level, checks = level_for(index, base, levels)
    return ScoreResult(index.code, questions, indicators, dimensions, base, levels, level, checks)


def result_as_dict(result: ScoreResult) -> dict[str, object]:
    """A JSON-safe snapshot (scores as strings, exact) kept with the assessment."""

    def nodes(items: list[Node]) -> list[dict[str, str]]:
        return [
            {"code": n.code, "name": n.name, "score": fmt(n.score), "max": fmt(n.max_score)} for n in items
        ]

    return {
        "index_code": result.index_code,
        "base_score": fmt(result.base_score),
        "level": result.level,
        "questions": nodes(result.questions),
        "indicators": nodes(result.indicators),
        "dimensions": nodes(result.dimensions),
        "scenario_levels": result.scenario_levels,
        "level_checks": [
            {
                "level": c.level,
                "name": c.name,
                "met": c.met,
                "text": c.text,
                "checks": [
                    {
                        "kind": t.kind,
                        "required": fmt(t.required),
                        "actual": fmt(t.actual),
                        "met": t.met,
                        "shortfall": fmt(t.shortfall),
                    }
                    for t in c.checks
                ],
            }
            for c in result.level_checks
        ],
        "explanation": result.explanation,
    }
