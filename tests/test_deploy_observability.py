"""deploy/observability: the alert rules and the Grafana dashboard use series that exist.

Series come from szcore/metrics.py (every process's /metrics), from prometheus-nats-exporter (the NATS
sidecar: jetstream_*) and one the funding service is to export (sz_funding_source_available_fen). Expressions
are parsed with promql-parser (Prometheus's grammar, in Rust) when it is installed: then every `by`/`on` label
must exist on the series below it. Without it, only names, matchers and brackets are checked.
"""

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client.metrics import MetricWrapperBase

from szcore import metrics

try:
    import promql_parser
except ImportError:  # optional: pip install promql-parser
    promql_parser = None

ROOT = Path(__file__).resolve().parents[1]
OBSERVABILITY = ROOT / "deploy" / "observability"
# Not (yet) in szcore/metrics.py: a gauge per budget source, in fen, label `source`.
FUNDING_AVAILABLE = "sz_funding_source_available_fen"
EXPORTER_SERIES = {"jetstream_consumer_num_pending": {"stream_name", "consumer_name", "server_id", "account"}}
EXTERNAL = {FUNDING_AVAILABLE: {"source"}, **EXPORTER_SERIES}
SCRAPE_LABELS = {"instance", "job", "pod", "namespace"}


def exported_series() -> dict[str, set[str]]:
    """Every series name szcore.metrics exposes, with its labels."""
    series: dict[str, set[str]] = {}
    for value in vars(metrics).values():
        if not isinstance(value, MetricWrapperBase):
            continue
        name, labels = value._name, set(value._labelnames)
        kind = value._type
        if kind == "counter":
            series[f"{name}_total"] = labels
        elif kind == "histogram":
            for suffix in ("_bucket", "_sum", "_count"):
                series[name + suffix] = labels | ({"le"} if suffix == "_bucket" else set())
        else:
            series[name] = labels
    return series


SERIES = exported_series()
KNOWN = {**SERIES, **EXTERNAL}


def selectors(expr: str) -> list[tuple[str, list[str]]]:
    """(series name, label names matched) for each `name` or `name{...}` in a PromQL expression."""
    found = []
    for match in re.finditer(r"\b((?:sz|jetstream)_[a-z_]+)\b(\{[^}]*\})?", expr):
        matchers = re.findall(r"([a-zA-Z_]+)\s*(?:=~|!~|!=|=)", match.group(2) or "")
        found.append((match.group(1), matchers))
    return found


def check_expression(expr: str, where: str) -> set[str]:
    for opening, closing in ("()", "{}", "[]"):
        assert expr.count(opening) == expr.count(closing), f"{where}: unbalanced {opening}{closing}"
    used = set()
    for name, labels in selectors(expr):
        assert name in KNOWN, f"{where}: unknown series {name}"
        unknown = set(labels) - KNOWN[name] - SCRAPE_LABELS
        assert not unknown, f"{where}: {name} has no labels {unknown}"
        used.add(name)
    assert used, f"{where}: no Shuzhuan or NATS series in {expr!r}"
    if promql_parser is not None:
        # Grafana's variables are not PromQL; give them values of the right type before parsing.
        concrete = expr.replace("$__rate_interval", "5m").replace("$process", ".*")
        try:
            tree = promql_parser.parse(concrete)
        except ValueError as error:
            raise AssertionError(f"{where}: {error}: {expr}") from None
        output_labels(tree, where)
    return used


def output_labels(node: Any, where: str) -> set[str] | None:
    """The labels an expression's result can carry (None for a scalar); asserts that every label an
    aggregation groups by or a binary operation matches on exists below it."""
    kind = type(node).__name__
    if kind == "VectorSelector":
        return KNOWN[node.name] | SCRAPE_LABELS
    if kind == "MatrixSelector":
        return output_labels(node.vector_selector, where)
    if kind in ("NumberLiteral", "StringLiteral"):
        return None
    if kind in ("ParenExpr", "UnaryExpr", "SubqueryExpr"):
        return output_labels(node.expr, where)
    if kind == "Call":
        found: set[str] = set()
        for arg in node.args:
            found |= output_labels(arg, where) or set()
        return found - {"le"} if node.func.name == "histogram_quantile" else found
    if kind == "AggregateExpr":
        inner = output_labels(node.expr, where) or set()
        modifier = node.modifier
        if modifier is None:
            return set()
        labels = set(modifier.labels)
        if modifier.type == promql_parser.AggModifierType.By:
            assert labels <= inner, f"{where}: grouped by {labels - inner}, which the series do not have"
            return labels
        return inner - labels
    if kind == "BinaryExpr":
        left, right = output_labels(node.lhs, where), output_labels(node.rhs, where)
        matching = node.modifier.matching if node.modifier else None
        if matching is not None and matching.type == promql_parser.LabelModifierType.Include:
            for side in (left, right):
                assert side is None or set(matching.labels) <= side, f"{where}: on ({matching.labels})"
        return left if left is not None else right
    raise AssertionError(f"{where}: unexpected PromQL node {kind}")


@pytest.fixture(scope="module")
def rules() -> list[dict[str, Any]]:
    document = yaml.safe_load((OBSERVABILITY / "alerts.yaml").read_text())
    return [rule for group in document["groups"] for rule in group["rules"]]


def test_alert_rules_are_well_formed(rules: list[dict[str, Any]]) -> None:
    names = [rule["alert"] for rule in rules]
    assert len(names) == len(set(names))
    for rule in rules:
        assert set(rule) <= {"alert", "expr", "for", "labels", "annotations"}, rule["alert"]
        assert re.fullmatch(r"[A-Z][A-Za-z0-9]+", rule["alert"])
        assert rule["labels"]["severity"] in ("warning", "critical"), rule["alert"]
        assert rule["annotations"]["summary"] and rule["annotations"]["description"], rule["alert"]
        if "for" in rule:
            assert re.fullmatch(r"\d+[smh]", rule["for"]), rule["alert"]
        check_expression(rule["expr"], rule["alert"])


@pytest.mark.parametrize(
    ("concern", "series"),
    [
        ("outbox stuck", "sz_outbox_backlog"),
        ("outbox backlog age", "sz_outbox_oldest_age_seconds"),
        ("consumer lag", "jetstream_consumer_num_pending"),
        ("redeliveries", "sz_events_redelivered_total"),
        ("dead letters", "sz_dead_letters_total"),
        ("5xx rate", "sz_http_requests_total"),
        ("latency", "sz_http_request_duration_seconds_bucket"),
        ("NATS disconnected", "sz_nats_connected"),
        ("budget source near zero", FUNDING_AVAILABLE),
    ],
)
def test_alerts_cover(rules: list[dict[str, Any]], concern: str, series: str) -> None:
    assert any(series in rule["expr"] for rule in rules), concern


def test_expressions_are_parsed() -> None:
    if promql_parser is None:
        pytest.skip("promql-parser is not installed: PromQL is checked for names and brackets only")
    with pytest.raises(AssertionError, match="grouped by"):
        check_expression("sum by (consumer) (rate(sz_outbox_published_total[5m]))", "example")
    with pytest.raises(AssertionError, match=r"example: invalid promql"):
        check_expression("sum by (process) (rate(sz_outbox_published_total[5m])) >", "example")


def test_five_hundreds_alert_matches_status_classes(rules: list[dict[str, Any]]) -> None:
    (rule,) = (rule for rule in rules if rule["alert"] == "ShuzhuanHttp5xxRate")
    assert 'status=~"5.."' in rule["expr"]


@pytest.fixture(scope="module")
def dashboard() -> dict[str, Any]:
    return json.loads((OBSERVABILITY / "grafana-dashboard.json").read_text())


def test_dashboard_panels(dashboard: dict[str, Any]) -> None:
    assert dashboard["uid"] and dashboard["title"]
    panels = dashboard["panels"]
    ids = [panel["id"] for panel in panels]
    assert len(ids) == len(set(ids))
    variables = {variable["name"] for variable in dashboard["templating"]["list"]}
    occupied: set[tuple[int, int]] = set()
    for panel in panels:
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24, panel["title"]
        cells = {
            (x, y)
            for x in range(grid["x"], grid["x"] + grid["w"])
            for y in range(grid["y"], grid["y"] + grid["h"])
        }
        assert not cells & occupied, f"{panel['title']} overlaps another panel"
        occupied |= cells
        if panel["type"] == "row":
            continue
        assert panel["datasource"]["uid"] == "${datasource}"
        for target in panel["targets"]:
            check_expression(target["expr"], panel["title"])
            for variable in re.findall(r"\$(\w+)", target["expr"]):
                assert variable in variables or variable.startswith("__"), f"{panel['title']}: ${variable}"


def test_dashboard_shows_every_series(dashboard: dict[str, Any]) -> None:
    shown: set[str] = set()
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            shown |= {name for name, _ in selectors(target["expr"])}
    histograms = {name for name in SERIES if name.endswith(("_sum", "_count"))}
    assert set(SERIES) - histograms <= shown, set(SERIES) - histograms - shown
    assert FUNDING_AVAILABLE in shown and "jetstream_consumer_num_pending" in shown
