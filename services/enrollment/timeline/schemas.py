from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class TimelineItem(BaseModel):
    at: datetime
    kind: str = Field(description="dossier, application, or the other service's event type")
    source: str = Field(description="Dossier source, or the producing service")
    summary: str = Field(description="One line, Chinese / English")
    data: dict[str, Any]


class Timeline(BaseModel):
    uscc: str
    items: list[TimelineItem] = Field(description="Newest first")
