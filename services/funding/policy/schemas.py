from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class PolicyPublish(BaseModel):
    model_config = ConfigDict(extra="forbid")

    document: dict[str, Any] = Field(description="The policy document (see the PolicyDocument schema)")
    note: str = Field("", max_length=500, description="Why this version (发布说明)")


class PolicyVersionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    policy_key: str
    version: int
    name: str
    city: str
    document_sha256: str = Field(description="SHA-256 of the canonical JSON document")
    note: str
    published_at: datetime
    published_by: str
    lines_count: int


class PolicyVersionDetail(PolicyVersionRead):
    document: dict[str, Any]


class PolicyVersionList(BaseModel):
    items: list[PolicyVersionRead]


class PresetRead(BaseModel):
    key: str
    name: str
    city: str
    seed: str
    document: dict[str, Any]


class PresetList(BaseModel):
    items: list[PresetRead]
