from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.enrollment.enterprise.models import DossierSource, SizeClass

NonBlank = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class EnterpriseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    uscc: Annotated[
        str, StringConstraints(strip_whitespace=True, to_upper=True, min_length=1, max_length=32)
    ] = Field(description="统一社会信用代码 (18 characters, GB 32100-2015 check digit)")
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] = Field(
        description="企业名称"
    )
    county_code: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\d{6}$")] = Field(
        description="所属区县 administrative division code (6 digits)"
    )
    industry_code: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-T]\d{0,4}$")] = (
        Field(description="国民经济行业分类 code, e.g. C34")
    )
    size_class: SizeClass = Field(description="规上 above_scale / 规下 below_scale")


class EnterpriseRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    uscc: str
    name: str
    county_code: str
    industry_code: str
    size_class: SizeClass
    source: DossierSource
    registered_at: datetime
    updated_at: datetime


class EnterpriseList(BaseModel):
    items: list[EnterpriseRead]
