"""What the offers did, measured against the control group over every quarter of the history; what a decline costs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal, NamedTuple

from report_builder.records import Out
from report_builder.uplift import Verdict, holds


class Applied(NamedTuple):
    """The effect the money uses for one offer in one segment (`Effects.applied`)."""

    effect: float  # the share of declines prevented
    interval: tuple[float, float] | None  # its range from a measured interval; None: nothing measured
    source: Literal["measured", "assumed"]
    group: tuple[str | None, str | None] | None  # (segment, offer) of the measurement used; None: the assumption


@dataclass(frozen=True)
class QuarterUplift:
    """One quarter's offers, checked on the next quarter's labels (intention to treat)."""

    period: Annotated[str, Out()]  # the quarter the offers were assigned in
    offered: Annotated[int, Out()]
    control: Annotated[int, Out()]
    offered_rate: Annotated[float, Out(digits=4)]  # share whose activity declined the quarter after
    control_rate: Annotated[float, Out(digits=4)]
    uplift: Annotated[float, Out(digits=4)]  # control rate minus offered rate: the drop the offers made
    uplift_ci95: Annotated[tuple[float, float], Out(digits=4)]  # Newcombe


@dataclass(frozen=True)
class Effect:
    """The effect of the offers on one group (a segment, an offer, or everyone), pooled over the quarters measured."""

    segment: Annotated[str | None, Out()]  # None: every segment
    offer: Annotated[str | None, Out()]  # a rule's name; None: every offer
    title: str | None  # the offer's title, when it is one offer
    quarters: Annotated[tuple[str, ...], Out()]  # the quarters whose offers were measured
    offered: Annotated[int, Out()]
    control: Annotated[int, Out()]
    offered_rate: float
    control_rate: float
    uplift: Annotated[float | None, Out(digits=4)]  # pooled; None without both groups
    uplift_ci95: Annotated[tuple[float, float] | None, Out(digits=4)]
    verdict: Annotated[Verdict, Out()]
    used: Annotated[Literal["measured", "assumed"], Out()]  # whether money rests on this measurement
    by_quarter: Annotated[tuple[QuarterUplift, ...], Out()]
    p_value: Annotated[float | None, Out()] = None  # Cochran–Mantel–Haenszel: no difference in any quarter
    p_adjusted: Annotated[float | None, Out()] = None  # Holm's over the groups and cells compared; everyone's: p_value

    @property
    def relative(self) -> float | None:
        """The share of declines the offers prevented: the drop over the control group's rate."""
        return None if self.uplift is None or self.control_rate <= 0 else self.uplift / self.control_rate

    @property
    def relative_range(self) -> tuple[float, float] | None:
        if self.uplift_ci95 is None or self.control_rate <= 0:
            return None
        return self.uplift_ci95[0] / self.control_rate, self.uplift_ci95[1] / self.control_rate

    @property
    def works(self) -> bool:
        """False when a measurement the money uses finds no gain: the estimate at or below zero, with a narrow interval
        or one wholly below zero."""
        return not (self.used == "measured" and self.uplift is not None and self.uplift <= 0)


@dataclass(frozen=True)
class Loss:
    """The share of a month's profit a customer whose activity declined loses: measured between quarters, or assumed."""

    share: Annotated[float, Out(digits=4)]
    source: Annotated[Literal["measured", "assumed"], Out()]
    ci95: Annotated[tuple[float, float] | None, Out(digits=4)] = None
    customers: Annotated[int, Out()] = 0  # customers present in two consecutive quarters it was measured on
    pairs: int = 0


@dataclass(frozen=True)
class Effects:
    effects: Annotated[tuple[Effect, ...], Out("effects")]  # everyone, each segment, each offer, each offer in each segment
    loss: Annotated[Loss, Out("loss")]
    assumed: float  # the share of declines an offer prevents, as assumed in the settings
    max_ci_width: float
    min_group: int = 30
    compared: Annotated[int, Out()] = 0  # segments, offers and cells large enough to decide, adjusted together (Holm)
    alpha: float = 0.05

    @property
    def overall(self) -> Effect | None:
        return next((e for e in self.effects if e.segment is None and e.offer is None), None)

    def for_offer(self, rule: str) -> Effect | None:
        return self._find(None, rule)

    def for_segment(self, segment: str) -> Effect | None:
        return self._find(segment, None)

    def _find(self, segment: str | None, rule: str | None) -> Effect | None:
        return next((e for e in self.effects if e.segment == segment and e.offer == rule), None)

    def unconfirmed(self, effect: Effect) -> bool:
        """Whether a reading of «effect» or «harm» does not hold by the test of no difference: for a segment, an offer or a
        cell once Holm's adjustment counts every comparison made."""
        return effect.verdict in ("effect", "harm") and not holds(effect.p_adjusted, self.alpha)

    @property
    def groups(self) -> tuple[Effect, ...]:
        """Everyone, each segment and each offer: what the report shows (the segment × offer cells only feed the money)."""
        return tuple(e for e in self.effects if e.segment is None or e.offer is None)

    def applied(self, rule: str, segment: str) -> Applied:
        """The effect the money uses for one offer in one segment, its range from a measured interval, its source, and
        the group it was measured in.

        From the most specific group to the broadest (the offer in this segment, the offer, the segment, everyone):
        a measurement the money uses (`Effect.used`: a narrow interval, or one wholly below zero) is used; one whose
        interval excludes zero but is still wide keeps the assumption, with its own interval as the range; one that
        shows nothing yet passes to the broader group. Without any, the assumption, with the most specific interval
        measured as the range (None: nothing measured).
        """
        candidates = [e for e in (self._find(segment, rule), self._find(None, rule), self._find(segment, None), self.overall)
                      if e is not None and e.uplift is not None]
        for effect in candidates:
            if effect.used == "measured" and effect.relative is not None:
                return Applied(effect.relative, effect.relative_range, "measured", (effect.segment, effect.offer))
            if effect.verdict in ("effect", "harm"):
                return Applied(self.assumed, effect.relative_range, "assumed", None)
        ranges = [e.relative_range for e in candidates if e.relative_range is not None]
        return Applied(self.assumed, ranges[0] if ranges else None, "assumed", None)
