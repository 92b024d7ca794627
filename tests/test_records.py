"""summary.json's values as the result types declare them (`records.to_json`)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Annotated

import numpy as np

from report_builder.records import Out, to_json


@dataclass(frozen=True)
class _Found:
    name: Annotated[str, Out()]
    share: Annotated[float, Out(digits=2)]
    sizes: Annotated[tuple[float, ...], Out("effect_sizes")]
    kept: Annotated[float, Out(summary=False)] = 0.0


def test_fields_are_published_by_their_declared_key_and_digits() -> None:
    assert to_json(_Found("a", 0.1234, (1.5, np.float64(2.25)), kept=3.0)) == {
        "name": "a", "share": 0.12, "effect_sizes": [1.5, 2.25]}


def test_a_value_json_cannot_hold_is_null_and_the_file_stays_strict_json() -> None:
    """NaN (a group too small to compare) and infinity (two groups without spread that differ) have no JSON form:
    written as Python writes them, a strict reader rejects the whole summary.json."""
    found = to_json(_Found("b", math.nan, (math.inf, -np.inf, 0.5)))
    assert found == {"name": "b", "share": None, "effect_sizes": [None, None, 0.5]}
    json.dumps(found, allow_nan=False)  # raises on NaN or infinity
