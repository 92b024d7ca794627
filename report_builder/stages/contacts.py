"""What was actually sent during the quarter: the contacts table with its offers and channels named as in the settings.

An offer is named by its rule's title or name, a channel by one of the channels the rules use; case, spaces and «ё» do not
matter. Anything else stops the build with the rows that name it: a contact the report cannot tie to an offer would be
counted wrong.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from report_builder.config import OfferRule
from report_builder.errors import InputError
from report_builder.labels import CHANNEL, CONTACTS, DATE, ID, OFFER
from report_builder.periods import quarter_days
from report_builder.results.data import ContactCount, Contacts, Tables

# Other spellings of a channel a shop's export may use.
CHANNEL_SPELLINGS = {"e-mail": "email", "почта": "email", "письмо": "email", "смс": "sms", "пуш": "push", "site": "сайт"}


def contacts(tables: Tables, rules: tuple[OfferRule, ...], period: str) -> Contacts | None:
    """None when the data has no contacts table."""
    if tables.contacts is None:
        return None
    file = tables.source_name(CONTACTS)
    frame = tables.contacts
    offers = _named(frame[OFFER], _offer_names(rules), file, OFFER, "неизвестные предложения",
                    "Допустимы названия или имена правил из recommendations.rules: "
                    + "; ".join(f"«{r.title}» ({r.name})" for r in rules))
    channels = _channels(rules)
    sent_by = _named(frame[CHANNEL], _channel_names(channels), file, CHANNEL, "неизвестные каналы",
                     "Допустимы каналы правил предложений: " + ", ".join(channels))
    sent = pd.DataFrame({ID: frame[ID].to_numpy(), OFFER: offers.to_numpy(), CHANNEL: sent_by.to_numpy(),
                         DATE: frame[DATE].to_numpy()})
    sent = sent.drop_duplicates(ignore_index=True)  # one contact written once by the offer's title and once by its name
    days = quarter_days(period)
    outside = None if days is None else int((~sent[DATE].dt.date.between(*days)).sum())
    return Contacts(
        sent=sent,
        file=file,
        rows=len(sent),
        customers=int(sent[ID].nunique()),
        first_day=sent[DATE].min().date().isoformat(),
        last_day=sent[DATE].max().date().isoformat(),
        outside_quarter=outside,
        by_channel=_counts(sent, CHANNEL, channels),
        by_offer=_counts(sent, OFFER, [r.name for r in rules]),
    )


def _key(value: str) -> str:
    return " ".join(str(value).split()).casefold().replace("ё", "е")


def _offer_names(rules: tuple[OfferRule, ...]) -> dict[str, str]:
    """A title's or a name's key -> the rule's name; a rule's own name wins over another rule's title."""
    found = {_key(r.title): r.name for r in rules}
    found.update({_key(r.name): r.name for r in rules})
    return found


def _channels(rules: tuple[OfferRule, ...]) -> list[str]:
    """The channels the rules use, in the rules' order."""
    return list(dict.fromkeys(c for r in rules for c in r.channels))


def _channel_names(channels: list[str]) -> dict[str, str]:
    found = {_key(spelling): channel for spelling, channel in CHANNEL_SPELLINGS.items() if channel in channels}
    found.update({_key(c): c for c in channels})
    return found


def _named(values: pd.Series, names: dict[str, str], file: str, column: str, problem: str, hint: str) -> pd.Series:
    """Each value as the name it stands for, or InputError naming the values and the rows it cannot name."""
    named = values.map(lambda v: names.get(_key(v)))
    unknown = named.isna()
    if unknown.any():
        shown = ", ".join(f"«{v}»" for v in values[unknown].unique()[:3])
        raise InputError(f"{problem}: {shown}", file=file, column=column, rows=list(values.index[unknown]), hint=hint)
    return named


def _counts(sent: pd.DataFrame, column: str, order: Iterable[str]) -> tuple[ContactCount, ...]:
    """Contacts and customers per value of `column`, in the settings' order; values never sent are left out."""
    grouped = sent.groupby(column)[ID].agg(["size", "nunique"])
    return tuple(ContactCount(name, int(grouped.at[name, "size"]), int(grouped.at[name, "nunique"]))
                 for name in order if name in grouped.index)
