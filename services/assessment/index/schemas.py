"""The index document (questions, options, scenarios, level rule) as validated data, and its API views."""

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

# Option scores in the MIIT data go down to 1/1000 of a point (1.875); finer would break exact storage.
SCORE_QUANTUM = Decimal("0.001")
EXCLUSIVE_OPTION_TEXT = "无"

CODE_PATTERN = r"^[a-z0-9][a-z0-9.-]{2,62}$"


def _exact(value: Decimal, where: str) -> None:
    if value < 0 or value != value.quantize(SCORE_QUANTUM):
        raise ValueError(f"{where}: {value} must be >= 0 with at most 3 decimals")


class OptionDoc(BaseModel):
    model_config = ConfigDict(extra="allow")

    key: str = Field(min_length=1, max_length=8)
    text: str
    score: Decimal
    exclusive: bool | None = Field(
        default=None, description="A '无' option: chosen alone only (default: text is 无 on multiple choice)"
    )


class QuestionDoc(BaseModel):
    model_config = ConfigDict(extra="allow")

    code: str = Field(min_length=1, max_length=32)
    title: str
    description: str = ""
    type: Literal["single", "multiple"]
    points: Decimal
    required: bool = True
    evidence_fields: list[str] = Field(default_factory=list)
    options: list[OptionDoc] = Field(min_length=2)

    @model_validator(mode="after")
    def _check(self) -> "QuestionDoc":
        _exact(self.points, self.code)
        keys = [o.key for o in self.options]
        if len(set(keys)) != len(keys):
            raise ValueError(f"{self.code}: option keys repeat")
        for option in self.options:
            _exact(option.score, f"{self.code}.{option.key}")
            if option.exclusive is None:
                option.exclusive = self.type == "multiple" and option.text.strip() == EXCLUSIVE_OPTION_TEXT
            if option.exclusive and (self.type != "multiple" or option.score != 0):
                raise ValueError(
                    f"{self.code}.{option.key}: only a zero-score multiple-choice option is exclusive"
                )
        if self.type == "single":
            best = max(o.score for o in self.options)
        else:
            best = sum((o.score for o in self.options if not o.exclusive), Decimal(0))
        if best != self.points:
            raise ValueError(f"{self.code}: best answer scores {best}, the question is worth {self.points}")
        return self

    @property
    def exclusive_keys(self) -> set[str]:
        return {o.key for o in self.options if o.exclusive}

    def option(self, key: str) -> OptionDoc | None:
        return next((o for o in self.options if o.key == key), None)


class IndicatorDoc(BaseModel):
    model_config = ConfigDict(extra="allow")

    code: str
    name: str
    points: Decimal
    questions: list[QuestionDoc] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> "IndicatorDoc":
        total = sum((q.points for q in self.questions), Decimal(0))
        if total != self.points:
            raise ValueError(
                f"{self.code}: questions add up to {total}, the indicator is worth {self.points}"
            )
        return self


class DimensionDoc(BaseModel):
    model_config = ConfigDict(extra="allow")

    code: str
    name: str
    points: Decimal
    indicators: list[IndicatorDoc] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> "DimensionDoc":
        total = sum((i.points for i in self.indicators), Decimal(0))
        if total != self.points:
            raise ValueError(
                f"{self.code}: indicators add up to {total}, the dimension is worth {self.points}"
            )
        return self


class ScenarioDoc(BaseModel):
    model_config = ConfigDict(extra="allow")

    code: str
    name: str
    mandatory: bool
    levels: dict[Literal["1", "2", "3", "4"], str] = Field(description="Level descriptor per level 1-4")


class ScenarioGroupDoc(BaseModel):
    model_config = ConfigDict(extra="allow")

    name: str
    scenarios: list[ScenarioDoc] = Field(min_length=1)


class LevelRuleEntry(BaseModel):
    model_config = ConfigDict(extra="allow")

    level: int = Field(ge=1, le=4)
    name: str
    min_base_score: Decimal
    min_scenarios_at_or_above_level: int = Field(ge=0)
    min_mandatory_scenarios_at_or_above_level: int = Field(ge=0)


class LevelRule(BaseModel):
    model_config = ConfigDict(extra="allow")

    source_note: str | None = None
    rules: list[LevelRuleEntry] = Field(min_length=1)


class GapEffort(BaseModel):
    """Relative effort units the gap analysis ranks improvements by."""

    scenario_level_step: int = Field(default=3, ge=1)
    question_option_step: int = Field(default=1, ge=1)


class IndexDocument(BaseModel):
    """An index version as loaded from JSON: the tree, the scenarios and the level rule."""

    model_config = ConfigDict(extra="allow")

    code: str = Field(pattern=CODE_PATTERN, description="Unique version code, e.g. miit-2024-manufacturing")
    name: str
    version: str
    sector: str
    dimensions: list[DimensionDoc] = Field(min_length=1)
    scenario_groups: list[ScenarioGroupDoc] = Field(min_length=1)
    level_rule: LevelRule
    gap_effort: GapEffort = Field(default_factory=GapEffort)
    notes: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> "IndexDocument":
        codes = [q.code for q in self.questions] + [i.code for d in self.dimensions for i in d.indicators]
        codes += [d.code for d in self.dimensions]
        if len(set(codes)) != len(codes):
            raise ValueError("dimension, indicator and question codes must be unique")
        scenario_codes = [s.code for s in self.scenarios]
        if len(set(scenario_codes)) != len(scenario_codes):
            raise ValueError("scenario codes must be unique")
        levels = [r.level for r in self.level_rule.rules]
        if len(set(levels)) != len(levels):
            raise ValueError("level_rule: one rule per level")
        mandatory = sum(1 for s in self.scenarios if s.mandatory)
        for rule in self.level_rule.rules:
            if rule.min_scenarios_at_or_above_level > len(self.scenarios):
                raise ValueError(f"level_rule {rule.level}: needs more scenarios than the index has")
            if rule.min_mandatory_scenarios_at_or_above_level > mandatory:
                raise ValueError(
                    f"level_rule {rule.level}: needs more mandatory scenarios than the index has"
                )
            if rule.min_base_score > self.max_base_score:
                raise ValueError(f"level_rule {rule.level}: base score above the maximum")
        return self

    @property
    def questions(self) -> list[QuestionDoc]:
        return [q for d in self.dimensions for i in d.indicators for q in i.questions]

    @property
    def scenarios(self) -> list[ScenarioDoc]:
        return [s for g in self.scenario_groups for s in g.scenarios]

    @property
    def max_base_score(self) -> Decimal:
        return sum((d.points for d in self.dimensions), Decimal(0))

    @property
    def rules_descending(self) -> list[LevelRuleEntry]:
        return sorted(self.level_rule.rules, key=lambda r: r.level, reverse=True)


class IndexVersionSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str = Field(description="Index version code / 指标版本编码")
    name: str
    version: str
    sector: str
    status: str = Field(description="active or retired")
    sha256: str = Field(description="Hash of the stored document, so that results can be traced to it")
    loaded_at: datetime


class IndexVersionList(BaseModel):
    items: list[IndexVersionSummary]


class IndexVersionDetail(IndexVersionSummary):
    document: dict[str, object] = Field(description="The full index document as loaded")


class IndexVersionUpload(BaseModel):
    document: dict[str, object] = Field(description="An index document (same shape as the bundled presets)")
