"""The performance report as a workbook in the official layout: a title block (programme, period), the
target table, the counties, the ranking, levels before/after and funds by source, with three charts:
progress against each target, level distribution before and after, funds by source."""

import io
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from szcore.spreadsheet import safe_row

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TITLE = Font(bold=True, size=14)
BOLD = Font(bold=True)

TARGET_HEADER = [
    "序号",
    "指标代码",
    "指标",
    "单位",
    "年度目标",
    "年度完成",
    "年度差距",
    "年度完成率(%)",
    "较上年",
    "总目标",
    "累计完成",
    "累计差距",
    "累计完成率(%)",
    "本年新增",
]


def _append(sheet: Worksheet, row: list[Any], font: Font | None = None) -> None:
    sheet.append(safe_row(row))
    if font is not None:
        for cell in sheet[sheet.max_row]:
            cell.font = font


def _title(sheet: Worksheet, title: str, data: dict[str, Any], columns: int) -> None:
    programme = data["programme"]
    scope = f"区县 {data['county_code']}" if data["county_code"] else "全市"
    _append(sheet, [title], TITLE)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(columns, 1))
    sheet.cell(1, 1).alignment = Alignment(horizontal="center")
    _append(sheet, [f"试点方案：{programme['name']}（{programme['id']}，第{programme['version']}版）"])
    _append(
        sheet,
        [
            f"统计期间：{data['year']}年（累计截至{data['year']}年末）；范围：{scope}；"
            f"生成时间：{data['generated_at'][:19]}Z"
        ],
    )
    _append(sheet, [])


def _money(fen: int) -> Decimal:
    return Decimal(fen) / 100


def target_sheet(workbook: Workbook, data: dict[str, Any]) -> None:
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "目标完成情况"
    _title(
        sheet,
        f"{data['programme']['city_name']}中小企业数字化转型城市试点目标完成情况表",
        data,
        len(TARGET_HEADER),
    )
    _append(sheet, TARGET_HEADER, BOLD)
    header_row = sheet.max_row
    for number, t in enumerate(data["targets"], start=1):
        y, total = t["year"], t["total"]
        _append(
            sheet,
            [
                number,
                t["code"],
                t["name"],
                t["unit"],
                y["target"],
                y["actual"] if t["measured"] else "未统计",
                y["gap"],
                y["percent"],
                y["trend"],
                total["target"],
                total["actual"] if t["measured"] else "未统计",
                total["gap"],
                total["percent"],
                total["trend"],
            ],
        )
    last = sheet.max_row
    sheet.column_dimensions["C"].width = 48
    if last == header_row:
        return  # no target rows, nothing to chart
    chart = BarChart()
    chart.type = "bar"
    chart.title = "目标完成进度（累计完成率%）"
    chart.y_axis.title = "%"
    chart.add_data(Reference(sheet, min_col=13, min_row=header_row, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=3, min_row=header_row + 1, max_row=last))
    chart.height, chart.width = 12, 24
    sheet.add_chart(chart, f"P{header_row}")


def county_sheet(workbook: Workbook, data: dict[str, Any]) -> None:
    sheet = workbook.create_sheet("分区县")
    measured = [t for t in data["targets"] if t["measured"]]
    _title(sheet, "分区县完成情况（累计）", data, len(measured) + 2)
    _append(sheet, ["区县代码", "区县", *(f"{t['name']}（{t['unit']}）" for t in measured)], BOLD)
    for county in data["counties"]:
        actual = {t["code"]: t["total"]["actual"] for t in county["targets"]}
        _append(
            sheet, [county["county_code"], county["county_name"], *(actual.get(t["code"]) for t in measured)]
        )


def ranking_sheet(workbook: Workbook, data: dict[str, Any]) -> None:
    sheet = workbook.create_sheet("区县晾晒")
    ranking = data["ranking"]
    if ranking is None:
        _title(sheet, "区县晾晒", data, 4)
        _append(sheet, ["本试点方案未设区县晾晒"])
        return
    criteria = ranking["criteria"]
    _title(
        sheet, f"{ranking['name']}（{ranking['year']}年第{ranking['quarter']}季度）", data, len(criteria) + 6
    )
    _append(sheet, ["权重：" + "；".join(f"{c['name']} {c['weight']}" for c in criteria)])
    _append(
        sheet,
        ["名次", "区县代码", "区县", "综合得分", *(c["name"] for c in criteria), "上期名次", "前列"],
        BOLD,
    )
    for row in ranking["rows"]:
        values = {v["code"]: v["value"] for v in row["values"]}
        _append(
            sheet,
            [
                row["rank"],
                row["county_code"],
                row["county_name"],
                row["score"],
                *(values.get(c["code"]) for c in criteria),
                row["previous_rank"],
                "是" if row["top"] else "",
            ],
        )


def levels_sheet(workbook: Workbook, data: dict[str, Any]) -> None:
    sheet = workbook.create_sheet("级别分布")
    _title(sheet, "验收企业数字化水平改造前后分布", data, 3)
    _append(sheet, ["级别", "改造前", "改造后"], BOLD)
    header_row = sheet.max_row
    for level in data["levels"]:
        _append(
            sheet,
            ["未诊断" if level["level"] == 0 else f"{level['level']}级", level["before"], level["after"]],
        )
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "clustered"
    chart.title = "改造前后数字化水平分布"
    chart.add_data(
        Reference(sheet, min_col=2, max_col=3, min_row=header_row, max_row=sheet.max_row),
        titles_from_data=True,
    )
    chart.set_categories(Reference(sheet, min_col=1, min_row=header_row + 1, max_row=sheet.max_row))
    sheet.add_chart(chart, "E5")


def funds_sheet(workbook: Workbook, data: dict[str, Any]) -> None:
    sheet = workbook.create_sheet("资金来源")
    _title(sheet, "资金来源及拨付情况", data, 4)
    _append(sheet, ["资金来源编号", "资金来源", "已下达（元）", "已拨付（元）"], BOLD)
    header_row = sheet.max_row
    for source in data["funds"]:
        _append(
            sheet,
            [
                source["source_id"],
                source["name"],
                _money(source["allocated_fen"]),
                _money(source["paid_fen"]),
            ],
        )
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "clustered"
    chart.title = "资金来源（已下达/已拨付，元）"
    chart.add_data(
        Reference(
            sheet, min_col=3, max_col=4, min_row=header_row, max_row=max(sheet.max_row, header_row + 1)
        ),
        titles_from_data=True,
    )
    chart.set_categories(
        Reference(sheet, min_col=2, min_row=header_row + 1, max_row=max(sheet.max_row, header_row + 1))
    )
    sheet.add_chart(chart, "F5")


def workbook_bytes(data: dict[str, Any]) -> bytes:
    workbook = Workbook()
    target_sheet(workbook, data)
    county_sheet(workbook, data)
    ranking_sheet(workbook, data)
    levels_sheet(workbook, data)
    funds_sheet(workbook, data)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
