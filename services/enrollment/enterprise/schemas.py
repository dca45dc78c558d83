from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.enrollment.enterprise.models import AdmissionStatus, DossierSource, SizeClass, SrdiStatus

NonBlank = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
CountyCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\d{6}$")]
IndustryCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-T]\d{0,4}$")]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9+\-() ]{5,40}$")]
Email = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]


class DossierFields(BaseModel):
    """The dossier's optional facts (一企一档), shared by registration, edits and bulk pushes."""

    model_config = ConfigDict(extra="forbid")

    programme_id: Short | None = Field(default=None, description="试点项目 the enterprise belongs to")
    pilot_industry: Short | None = Field(
        default=None, description="试点行业 code of the programme (derived from industry_code when unique)"
    )
    srdi_status: SrdiStatus | None = Field(
        default=None,
        description="专精特新: none, innovative 创新型, provincial_srdi 省级, little_giant 小巨人",
    )
    srdi_recognised_on: date | None = Field(default=None, description="专精特新 recognised on")
    srdi_expires_on: date | None = Field(default=None, description="专精特新 valid until")
    annual_output_fen: int | None = Field(default=None, ge=0, description="年产值 in fen (分)")
    employees: int | None = Field(default=None, ge=0, le=10_000_000, description="从业人数")
    contact_name: Short | None = Field(default=None, description="联系人")
    contact_phone: Phone | None = Field(default=None, description="联系电话")
    contact_email: Email | None = None
    officer_name: Short | None = Field(default=None, description="数字化转型专员")
    officer_phone: Phone | None = None
    officer_email: Email | None = None
    cloud_adopted: bool | None = Field(default=None, description="上云用云")


class EnterpriseCreate(DossierFields):
    uscc: Annotated[
        str, StringConstraints(strip_whitespace=True, to_upper=True, min_length=1, max_length=32)
    ] = Field(description="统一社会信用代码 (18 characters, GB 32100-2015 check digit)")
    name: Name = Field(description="企业名称")
    county_code: CountyCode = Field(description="所属区县 administrative division code (6 digits)")
    industry_code: IndustryCode = Field(description="国民经济行业分类 code, e.g. C34")
    size_class: SizeClass = Field(description="规上 above_scale / 规下 below_scale")


class EnterprisePatch(DossierFields):
    """Only the fields sent change; send null to clear an optional one."""

    name: Name | None = None
    county_code: CountyCode | None = None
    industry_code: IndustryCode | None = None
    size_class: SizeClass | None = None


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
    programme_id: str | None = None
    pilot_industry: str | None = None
    srdi_status: SrdiStatus = SrdiStatus.none
    srdi_recognised_on: date | None = None
    srdi_expires_on: date | None = None
    annual_output_fen: int | None = None
    employees: int | None = None
    output_tier: str | None = Field(default=None, description="产值档 by the programme's output tiers")
    contact_name: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None
    officer_name: str | None = None
    officer_phone: str | None = None
    officer_email: str | None = None
    cloud_adopted: bool = False
    version: int = Field(default=1, description="Dossier version; each change adds one")
    admission_status: AdmissionStatus = AdmissionStatus.registered
    batch_id: str | None = None


class EnterpriseList(BaseModel):
    items: list[EnterpriseRead]
    total: int | None = Field(default=None, description="Count of all matches (filtered lists)")
    next_cursor: str | None = Field(default=None, description="Pass as `cursor` for the next page")


class EnterpriseVersionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    version: int
    source: DossierSource
    changed_by: str
    changed_role: str
    changed_at: datetime
    changes: dict[str, Any] = Field(description="field -> [old, new]")


class EnterpriseHistory(BaseModel):
    uscc: str
    items: list[EnterpriseVersionRead]
