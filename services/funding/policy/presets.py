"""The shipped presets (services/funding/presets/*.yaml), transcribed from the seeds."""

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from services.funding.policy.document import PolicyDocument

PRESET_DIR = Path(__file__).resolve().parent.parent / "presets"


def preset_keys() -> list[str]:
    return sorted(path.stem for path in PRESET_DIR.glob("*.yaml"))


@cache
def preset_data(key: str) -> dict[str, Any]:
    path = PRESET_DIR / f"{key}.yaml"
    if key not in preset_keys():
        raise KeyError(key)
    return yaml.safe_load(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def load_preset(key: str) -> PolicyDocument:
    return PolicyDocument.model_validate(preset_data(key))
