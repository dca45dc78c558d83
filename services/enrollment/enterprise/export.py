"""XLSX export of the enterprise list in the official column layout."""

import io
from collections.abc import Sequence

from openpyxl import Workbook

from services.enrollment.enterprise.models import AdmissionStatus, Enterprise, SizeClass, SrdiStatus
from services.enrollment.programme.schemas import ProgrammeConfig
from szcore.spreadsheet import safe_row

HEADERS = (
    "序号",
    "企业名称",
    "统一社会信用代码",
    "所属区县",
    "所属行业",
    "规上/规下",
    "专精特新类型",
    "批次",
    "状态",
)
SIZE_LABELS = {SizeClass.above_scale: "规上", SizeClass.below_scale: "规下"}
SRDI_LABELS = {
    SrdiStatus.none: "无",
    SrdiStatus.innovative: "创新型中小企业",
    SrdiStatus.provincial_srdi: "省级专精特新",
    SrdiStatus.little_giant: "国家级专精特新“小巨人”",
}
STATUS_LABELS = {
    AdmissionStatus.registered: "已登记",
    AdmissionStatus.in_review: "审核中",
    AdmissionStatus.returned: "退回修改",
    AdmissionStatus.approved: "审核通过",
    AdmissionStatus.public_notice: "公示中",
    AdmissionStatus.admitted: "已入选",
    AdmissionStatus.rejected: "未通过",
    AdmissionStatus.withdrawn: "已退出",
    AdmissionStatus.disqualified: "已取消资格",
}


def row_for(index: int, enterprise: Enterprise, config: ProgrammeConfig | None) -> list[object]:
    county = enterprise.county_code
    industry = enterprise.industry_code
    batch = enterprise.batch_id or ""
    if config is not None:
        county = next((c.name for c in config.counties if c.code == county), county)
        pilot = config.industry(enterprise.pilot_industry or "")
        industry = pilot.name if pilot else industry
        known = config.batch(batch)
        batch = known.name if known else batch
    return [
        index,
        enterprise.name,
        enterprise.uscc,
        county,
        industry,
        SIZE_LABELS[SizeClass(enterprise.size_class)],
        SRDI_LABELS[SrdiStatus(enterprise.srdi_status)],
        batch,
        STATUS_LABELS[AdmissionStatus(enterprise.admission_status)],
    ]


def workbook(enterprises: Sequence[Enterprise], configs: dict[str, ProgrammeConfig]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("试点企业名单")
    sheet.append(list(HEADERS))
    for index, enterprise in enumerate(enterprises, start=1):
        config = configs.get(enterprise.programme_id or "")
        sheet.append(safe_row(row_for(index, enterprise, config)))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


__all__ = ["HEADERS", "workbook"]
