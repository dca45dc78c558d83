from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class EnterpriseProfile(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    uscc: str
    county_code: str
    known_since: datetime = Field(validation_alias="copied_at")
    current_level: int | None = Field(
        description="数字化水平 maturity level 1-4 certified so far; null if none"
    )
    pilot_revoked_at: datetime | None = Field(
        default=None, description="When a revisit (回头看) revoked the pilot status; null if not revoked"
    )


class EnterpriseProfileList(BaseModel):
    items: list[EnterpriseProfile]
