"""The five seed cities' programmes, shipped as data (services/enrollment/presets/*.json)."""

import json
from pathlib import Path

from services.enrollment.programme.schemas import ProgrammeConfig

PRESET_DIR = Path(__file__).resolve().parents[1] / "presets"
PRESET_NAMES = ("luoyang", "xinxiang", "jinhua", "zibo", "hefei")


def load_preset(name: str) -> ProgrammeConfig:
    return ProgrammeConfig.model_validate(json.loads((PRESET_DIR / f"{name}.json").read_text("utf-8")))


def load_presets() -> list[ProgrammeConfig]:
    return [load_preset(name) for name in PRESET_NAMES]
