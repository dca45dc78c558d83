from pydantic import BaseModel, Field


class FactorRead(BaseModel):
    code: str = Field(description="Factor code (see the matching_weights rule)")
    value: int = Field(description="0..1000 (per mille)")
    weight: int
    explanation: str


class RankedSolution(BaseModel):
    rank: int
    solution_id: str
    solution_name: str
    provider_id: str
    provider_name: str
    score: int = Field(description="Weighted score 0..1000")
    at_capacity: bool = Field(
        description="Provider has no free capacity: ranked after every provider with room"
    )
    covered_scenarios: list[str]
    factors: list[FactorRead]


class RankedProvider(BaseModel):
    rank: int
    provider_id: str
    provider_name: str
    score: int = Field(description="Its best solution's score")
    at_capacity: bool
    solution_ids: list[str]


class ExcludedProvider(BaseModel):
    provider_id: str
    reason: str


class MatchResult(BaseModel):
    uscc: str
    programme: str
    weights_version: int
    needed_scenarios: list[str]
    solutions: list[RankedSolution]
    providers: list[RankedProvider]
    excluded: list[ExcludedProvider] = Field(
        description="Providers left out, with the reason (officials only)"
    )


class Prospect(BaseModel):
    uscc: str
    name: str
    county_code: str
    industry_code: str
    matched_scenarios: list[str]
    solution_ids: list[str] = Field(description="My listed products that fit")


class ProspectList(BaseModel):
    provider_id: str
    items: list[Prospect]


class ProspectPage(BaseModel):
    provider_id: str
    items: list[Prospect]
    total: int
    next_cursor: str | None
