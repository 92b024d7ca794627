"""summary.json: the machine-readable digest of a build, written from the results' own declarations."""

from __future__ import annotations

import dataclasses
import json
import typing

from report_builder.records import attributes, optional, summary_key, to_json
from report_builder.results.report import RunInfo, StageTiming


def summary(results: object) -> dict[str, object]:
    """Every published field of every result, in table order; a result nested under its SUMMARY key or at the top.

    A result that is absent (its stage switched off, or nothing to compare with) leaves its keys null (lists empty).
    """
    out: dict[str, object] = {}
    hints = typing.get_type_hints(type(results))
    for f in dataclasses.fields(results):  # type: ignore[arg-type]
        kind, _ = optional(hints[f.name])
        kinds = [k for k in typing.get_args(kind) or (kind,) if isinstance(k, type)]
        published = [k for k in kinds if any(a.out.summary for a in attributes(k))]
        if not published:
            continue
        value = getattr(results, f.name)
        key = summary_key(published[0])
        if key is not None:
            out[key] = to_json(value)
            continue
        fields = to_json(value) if value is not None else {a.key: _empty(a.hint) for a in attributes(published[0]) if a.out.summary}
        assert isinstance(fields, dict)
        clash = set(fields) & set(out)
        if clash:
            raise TypeError(f"summary.json: {f.name} publishes keys already taken: {sorted(clash)}")
        out.update(fields)
    return out


def _empty(hint: object) -> object:
    """What an absent result's field reads as: an empty list for a list, null for anything else."""
    return [] if typing.get_origin(optional(hint)[0]) is tuple else None


def summary_content(results: object) -> bytes:
    """summary.json without this build's time and stage timings: cached with the results it is made of."""
    return json.dumps(summary(results), ensure_ascii=False).encode("utf-8")


def summary_json(content: bytes, run: RunInfo, timings: tuple[StageTiming, ...] = ()) -> bytes:
    """summary.json as published: the content, this build's time (also for a build served from the cache), the timings."""
    data = json.loads(content)
    if "built_at" in data:
        data["built_at"] = run.built_at
    data["timings"] = to_json(timings)
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
