"""Checks shared by tests of several kinds."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Mapping
from typing import TypeVar

import pytest
from PIL import Image

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

E = TypeVar("E", bound=BaseException)
K = TypeVar("K")
V = TypeVar("V")


def assert_png(data: bytes) -> tuple[int, int]:
    assert data.startswith(PNG_MAGIC)
    with Image.open(io.BytesIO(data)) as image:
        image.load()  # decodes every pixel: a truncated or corrupt file fails here
        assert image.format == "PNG"
        return image.size


def raised(error: type[E], call: Callable[..., object], *args: object) -> E:
    """The `error` that `call(*args)` raises, for the test to look into; the test fails if
    `call` returns instead (or raises something else)."""
    with pytest.raises(error) as caught:
        call(*args)
    return caught.value


def cases(groups: Mapping[K, Iterable[V]]) -> list[tuple[V, K]]:
    """`{outcome: [input, ...]}` as the `(input, outcome)` pairs of a parametrize table, so
    that a table names each outcome once."""
    return [(value, outcome) for outcome, values in groups.items() for value in values]
