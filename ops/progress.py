"""Progress bars for long operator work: on stderr, so that stdout stays machine-readable (JSON lines);
shown on a terminal and left out of logs (Kubernetes Jobs, CI) unless SZ_PROGRESS=1 asks for them."""

import os
import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

from tqdm import tqdm

T = TypeVar("T")


def _disabled() -> bool | None:
    forced = os.environ.get("SZ_PROGRESS")
    if forced is not None:
        return forced in ("0", "false", "no")
    return None  # tqdm: off when stderr is not a terminal


def progress(items: Iterable[T], description: str, total: int | None = None, unit: str = "it") -> Iterator[T]:
    yield from tqdm(items, desc=description, total=total, unit=unit, file=sys.stderr, disable=_disabled())


def bar(description: str, total: int | None = None, unit: str = "it") -> "tqdm[None]":
    return tqdm(desc=description, total=total, unit=unit, file=sys.stderr, disable=_disabled())
