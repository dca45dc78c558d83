"""The reproducible draw, as a pure function."""

import math
import random
from collections.abc import Sequence


def sample_size(population: int, size: int | None, percent: int | None) -> int:
    wanted = size if size is not None else math.ceil(population * (percent or 0) / 100)
    return min(population, wanted)


def draw(population: Sequence[str], size: int, seed: str) -> list[str]:
    """Same seed and population (order-insensitive) → same sample, in any process."""
    return sorted(random.Random(seed).sample(sorted(population), size))
