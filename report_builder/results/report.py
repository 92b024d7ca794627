"""What a build knows of itself: its run and the time its stages took."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Annotated

from report_builder.records import Out


@dataclass(frozen=True)
class RunInfo:
    period: Annotated[str, Out(history=True)]
    built_at: Annotated[str, Out(history=True)]  # ISO 8601, UTC
    seed: Annotated[int, Out()]
    versions: Annotated[dict[str, str], Out(history=True)]
    data_dir: str
    demo: bool
    dataset: Annotated[str, Out(summary=False, history=True)] = ""  # runs compare only within one data set
    config_hash: Annotated[str, Out(summary=False, history=True)] = ""  # the settings that shape the numbers
    settings: Annotated[str, Out(summary=False, history=True)] = "{}"  # those settings as JSON, to name what changed
    money_unit: Annotated[str, Out(history=True)] = "ед."
    # What the history keeps of the run was made of: its record stage's key, set when the run is recorded. A later
    # quarter names the runs it reads by it (`Reference.key`), whether they come from the history or were built in
    # the same process (the demo's earlier quarters).
    made_of: Annotated[str, Out(summary=False, history=True)] = ""

    @property
    def key(self) -> str:
        """What the documents show of the run: the build's date, not its second, so a day's rebuilds reuse them."""
        shown = [self.period, self.built_at[:10], str(self.seed), self.data_dir, str(self.demo), *sorted(self.versions.items())]
        return hashlib.sha256(repr(shown).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class StageTiming:
    stage: Annotated[str, Out()]
    title: Annotated[str, Out()]
    seconds: Annotated[float, Out()]
    cached: Annotated[bool, Out()]
