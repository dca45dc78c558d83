"""XLSX export of programme lists (openpyxl)."""

from io import BytesIO

from openpyxl import Workbook

from services.assessment.report.schemas import BelowTargetList
from szcore.spreadsheet import safe_row


def below_target_xlsx(data: BelowTargetList) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = f"未达{data.target_level}级企业"
    sheet.append(["统一社会信用代码", "企业名称", "区县", "行业", "规模", "改造前等级", "认定等级"])
    for item in data.items:
        row = [item.uscc, item.name, item.county_code, item.industry_code, item.size_class]
        sheet.append([*safe_row(row), item.level_before, item.level_after])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
