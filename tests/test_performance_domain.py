"""Pure tests of the performance composition, ranking and workbook: plain data in, plain data out."""

import io
from fractions import Fraction

from openpyxl import load_workbook

from gateway.performance import domain, service, xlsx
from gateway.performance.domain import Cell, Criterion, Figures, TargetRow
from szcore.spreadsheet import safe_cell


def cell(metric: str, county: str | None, year: int, quarter: int, value: int, stock: bool = False) -> Cell:
    return Cell(metric, county, year, quarter, value, stock)


class TestFigures:
    def test_flows_add_up_over_the_period(self) -> None:
        figures = Figures(
            [cell("m", "a", 2024, 4, 2), cell("m", "b", 2025, 1, 3), cell("m", "a", 2025, 3, 5)]
        )
        assert figures.value(["m"]) == 10
        assert figures.value(["m"], since=(2025, 1), until=(2025, 4)) == 8
        assert figures.value(["m"], county="a", until=(2025, 2)) == 2

    def test_a_stock_takes_the_last_quarter_on_record(self) -> None:
        figures = Figures(
            [
                cell("s", "a", 2025, 1, 4, True),
                cell("s", "b", 2025, 1, 1, True),
                cell("s", None, 2025, 2, 0, True),
                cell("s", "b", 2025, 2, 2, True),
            ]
        )
        assert figures.value(["s"], since=(2025, 1), until=(2025, 4)) == 2
        assert figures.value(["s"], county="a", until=(2025, 2)) == 0  # a had none left at the end of Q2
        assert figures.value(["s"], county="a", until=(2025, 1)) == 4


class TestCompose:
    row = TargetRow("t", "改造企业", "家", total=10, by_year={"2024": 4, "2025": 6}, metrics=("m",))

    def test_year_and_total_with_gap_percent_and_trend(self) -> None:
        figures = Figures(
            [cell("m", "a", 2024, 2, 3), cell("m", "a", 2025, 1, 2), cell("m", "b", 2025, 4, 1)]
        )
        [result] = domain.compose([self.row], figures, 2025, [2024, 2025])
        assert result.year == domain.PeriodFigure("2025", 6, 3, 3, Fraction(50), 0)
        assert result.total == domain.PeriodFigure("total", 10, 6, 4, Fraction(60), 3)
        assert [f.actual for f in result.years] == [3, 3]
        [county] = domain.compose([self.row], figures, 2025, [], county="b")
        assert (county.year.actual, county.total.actual, county.year.trend) == (1, 1, 1)

    def test_a_share_divides_by_its_denominator(self) -> None:
        share = TargetRow("s", "占比", "%", total=40, by_year={}, metrics=("n",), denominator_metrics=("d",))
        figures = Figures([cell("n", "a", 2025, 1, 1), cell("d", "a", 2025, 1, 3)])
        figure = domain.total_figure(figures, share, 2025)
        assert figure.actual == Fraction(100, 3) and service.number(figure.actual) == 33.33
        assert domain.year_figure(figures, share, 2024).actual == 0  # no denominator: 0, not an error

    def test_an_unmeasured_row_has_no_actual(self) -> None:
        row = TargetRow("x", "典型做法", "个", total=3, by_year={"2025": 3})
        figure = domain.year_figure(Figures([]), row, 2025)
        assert (figure.actual, figure.gap, figure.percent, figure.trend) == (None, None, None, None)


class TestRanking:
    criteria = (Criterion("c", "签约", ("contracts",), 60), Criterion("h", "荣誉", ("honours",), 40))

    def test_weights_proportional_to_the_best_and_shared_ranks(self) -> None:
        rows = domain.rank_counties(
            self.criteria,
            {"x": {"c": 4, "h": 1}, "y": {"c": 2, "h": 2}, "z": {"c": 4, "h": 1}, "w": {"c": 0, "h": 0}},
            top=3,
        )
        assert [(r.county_code, r.rank, r.score) for r in rows] == [
            ("x", 1, Fraction(80)),
            ("z", 1, Fraction(80)),
            ("y", 3, Fraction(70)),
            ("w", 4, Fraction(0)),
        ]
        assert [r.county_code for r in rows if r.top] == ["x", "z", "y"]

    def test_nobody_scored_means_everyone_shares_first(self) -> None:
        rows = domain.rank_counties(self.criteria, {"a": {}, "b": {}}, top=1)
        assert [(r.rank, r.score) for r in rows] == [(1, 0), (1, 0)]

    def test_quarterly_and_yearly_rankings_with_the_previous_rank(self) -> None:
        config = {
            "name": "晾晒",
            "criteria": [{"code": "c", "name": "签约", "metrics": ["contracts"], "weight": 100}],
            "top": 1,
        }
        figures = Figures(
            [
                cell("contracts", "a", 2025, 1, 1),
                cell("contracts", "b", 2025, 2, 2),
                cell("contracts", "a", 2025, 2, 1),
            ]
        )
        ranking = domain.county_ranking(config, figures, ["a", "b"], 2025, 2)
        assert [(r.county_code, r.rank, r.previous_rank, r.top) for r in ranking.rows] == [
            ("b", 1, 2, True),
            ("a", 2, 1, False),
        ]
        yearly = domain.county_ranking({**config, "period": "year"}, figures, ["a", "b"], 2025, 4)
        assert [(r.county_code, r.score) for r in yearly.rows] == [("a", 100), ("b", 100)]


PROGRAMME = {
    "id": "p",
    "name": '=HYPERLINK("x")',
    "city_code": "330700",
    "city_name": "某市",
    "version": 1,
    "config": {
        "period": {"start": "2024-09-01", "end": "2026-09-30"},
        "counties": [{"code": "330702", "name": "甲区"}, {"code": "330703", "name": "乙区"}],
        "targets": [
            {
                "code": "t",
                "name": "改造企业",
                "unit": "家",
                "total": 10,
                "by_year": {"2025": 10},
                "metrics": ["m"],
            },
            {"code": "u", "name": "-典型做法", "unit": "个", "total": 2},
        ],
        "ranking": {
            "name": "晾晒",
            "criteria": [{"code": "c", "name": "签约", "metrics": ["m"], "weight": 100}],
            "top": 1,
        },
    },
}
STATS = [
    {"cells": [{"metric": "m", "county_code": "330703", "year": 2025, "quarter": 1, "value": 4}]},
    {
        "cells": [
            {"metric": "level_before:1", "county_code": "330703", "year": 2025, "quarter": 1, "value": 1},
            {"metric": "level_after:2", "county_code": "330703", "year": 2025, "quarter": 1, "value": 1},
        ]
    },
    {
        "cells": [
            {
                "metric": "funds_paid:central",
                "county_code": "330702",
                "year": 2025,
                "quarter": 2,
                "value": 500,
            }
        ],
        "labels": {"source:central": "中央资金"},
    },
]


class TestReport:
    def test_the_report_is_plain_data(self) -> None:
        data = service.build(PROGRAMME, STATS, 2025, 1, None)
        assert data["targets"][0]["year"] == {
            "period": "2025",
            "target": 10,
            "actual": 4,
            "gap": 6,
            "percent": 40,
            "trend": 4,
        }
        assert [c["county_code"] for c in data["counties"]] == ["330702", "330703"]
        assert data["levels"][1] == {"level": 1, "before": 1, "after": 0}
        assert data["funds"] == [
            {"source_id": "central", "name": "中央资金", "allocated_fen": 0, "paid_fen": 500}
        ]
        assert data["ranking"]["top"][0]["county_name"] == "乙区"

    def test_a_county_sees_its_own_row_values_only(self) -> None:
        data = service.build(PROGRAMME, STATS, 2025, 1, "330702")
        assert [c["county_code"] for c in data["counties"]] == ["330702"]
        assert data["targets"][0]["year"]["actual"] == 0
        values = {r["county_code"]: r["values"] for r in data["ranking"]["rows"]}
        assert values == {"330703": [], "330702": [{"code": "c", "value": 0}]}


class TestWorkbook:
    def test_sheets_charts_and_neutralised_formulas(self) -> None:
        book = load_workbook(io.BytesIO(xlsx.workbook_bytes(service.build(PROGRAMME, STATS, 2025, 1, None))))
        assert book.sheetnames == ["目标完成情况", "分区县", "区县晾晒", "级别分布", "资金来源"]
        assert book["目标完成情况"]["A2"].value.startswith(
            "试点方案：=HYPERLINK"
        )  # not at the start: harmless
        names = [row[2] for row in book["目标完成情况"].iter_rows(min_row=6, values_only=True)]
        assert names == ["改造企业", "'-典型做法"]
        assert sum(len(sheet._charts) for sheet in book.worksheets) == 3
        assert safe_cell("=1+1") == "'=1+1" and safe_cell("@x") == "'@x" and safe_cell(5) == 5
