"""Dossier rules as pure functions: what a record must satisfy against its programme's configuration."""

import json
from datetime import date
from typing import Any

from services.enrollment.programme.schemas import DEFAULT_OUTPUT_TIERS, ProgrammeConfig
from szcore.errors import FieldError

# Fields a dossier version records; output_tier is derived, the rest are sent.
FIELDS = (
    "name",
    "county_code",
    "industry_code",
    "size_class",
    "programme_id",
    "pilot_industry",
    "srdi_status",
    "srdi_recognised_on",
    "srdi_expires_on",
    "annual_output_fen",
    "employees",
    "output_tier",
    "contact_name",
    "contact_phone",
    "contact_email",
    "officer_name",
    "officer_phone",
    "officer_email",
    "cloud_adopted",
)
REQUIRED = ("name", "county_code", "industry_code", "size_class", "srdi_status", "cloud_adopted")


def covering_industries(config: ProgrammeConfig, industry_code: str) -> list[str]:
    return [
        industry.code
        for industry in config.industries
        if any(industry_code.startswith(code) for code in industry.industry_codes)
    ]


def output_tier(config: ProgrammeConfig | None, output_fen: int | None) -> str | None:
    if config is not None:
        return config.output_tier(output_fen)
    if output_fen is None:
        return None
    return next(
        (
            t.code
            for t in DEFAULT_OUTPUT_TIERS
            if output_fen >= t.min_fen and (t.max_fen is None or output_fen < t.max_fen)
        ),
        None,
    )


def check_dossier(values: dict[str, Any], config: ProgrammeConfig | None) -> list[FieldError]:
    """Completes derived fields in `values` (pilot industry when unambiguous, output tier) and returns
    what is wrong with the record; `config` is the programme named by values['programme_id'], if any."""
    errors: list[FieldError] = []
    for field in REQUIRED:
        if values.get(field) is None:
            errors.append(FieldError(field, "required", "may not be empty", "不能为空"))
    if values.get("programme_id") and config is None:
        errors.append(FieldError("programme_id", "unknown_programme", "no such programme", "试点项目不存在"))
    if config is not None and values.get("county_code") and not config.county_allowed(values["county_code"]):
        errors.append(
            FieldError(
                "county_code",
                "county_not_in_programme",
                "county is not part of the programme",
                "该区县不在试点范围内",
            )
        )
    pilot = values.get("pilot_industry")
    if pilot and config is None and not values.get("programme_id"):
        errors.append(
            FieldError(
                "pilot_industry",
                "programme_required",
                "a pilot industry needs a programme",
                "须先指定试点项目",
            )
        )
    if config is not None and values.get("industry_code"):
        covering = covering_industries(config, values["industry_code"])
        if pilot is None and len(covering) == 1:
            values["pilot_industry"] = covering[0]
        elif pilot is not None and config.industry(pilot) is None:
            errors.append(
                FieldError(
                    "pilot_industry",
                    "unknown_pilot_industry",
                    "not a pilot industry of the programme",
                    "非本试点项目的试点行业",
                )
            )
        elif pilot is not None and pilot not in covering:
            errors.append(
                FieldError(
                    "industry_code",
                    "industry_not_in_pilot_industry",
                    f"industry code does not belong to pilot industry {pilot}",
                    "行业代码不属于所选试点行业",
                )
            )
    recognised, expires = values.get("srdi_recognised_on"), values.get("srdi_expires_on")
    if isinstance(recognised, date) and isinstance(expires, date) and expires < recognised:
        errors.append(
            FieldError(
                "srdi_expires_on",
                "invalid_srdi_dates",
                "expires before it was recognised",
                "有效期早于认定日期",
            )
        )
    values["output_tier"] = output_tier(config, values.get("annual_output_fen"))
    return errors


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """field -> [old, new] for every field that changed, JSON-ready."""
    return {
        field: [json_value(before.get(field)), json_value(after.get(field))]
        for field in FIELDS
        if before.get(field) != after.get(field)
    }


def created_changes(values: dict[str, Any]) -> dict[str, list[Any]]:
    """The changes of a new enterprise's first version."""
    return diff({}, values)


# ('field', '"field": [null, ') for each field: its entry's start in created_changes_json.
CREATED_PREFIXES = tuple((name, f"{json.dumps(name)}: [null, ") for name in FIELDS)
encode_text = json.encoder.encode_basestring  # the encoder json.dumps(ensure_ascii=False) uses for str


def created_changes_json(values: dict[str, Any]) -> str:
    """json.dumps(created_changes(values), ensure_ascii=False), written directly for the common value
    types (a bulk push writes one per new enterprise), the most common first."""
    parts = []
    get = values.get
    for name, prefix in CREATED_PREFIXES:
        value = get(name)
        if value is None:
            continue
        kind = type(value)
        if kind is str:
            parts.append(prefix + encode_text(value) + "]")
        elif kind is int:
            parts.append(f"{prefix}{value}]")
        elif kind is bool:
            parts.append(prefix + ("true]" if value else "false]"))
        elif isinstance(value, str):
            parts.append(prefix + encode_text(value) + "]")
        elif kind is date:
            parts.append(f'{prefix}"{value.isoformat()}"]')
        else:
            return json.dumps(created_changes(values), ensure_ascii=False)
    return "{" + ", ".join(parts) + "}"


def json_value(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return value.value if hasattr(value, "value") else value
