"""Text colours of the stylesheet pass WCAG AA contrast (4.5:1) on the backgrounds they sit on."""

from __future__ import annotations

import re

import pytest

from report_builder.resources import templates_dir

CSS = (templates_dir() / "report.css").read_text(encoding="utf-8")
VARS = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", CSS))


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    light, dark = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_formula() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") < 4.5


@pytest.mark.parametrize(
    ("text", "background"),
    [
        ("ink", "paper"),
        ("muted", "paper"),
        ("muted", "tint"),
        ("ink", "tint"),
        ("accent", "paper"),
        ("warn", "paper"),
    ],
)
def test_text_colours_pass_aa(text: str, background: str) -> None:
    assert contrast(VARS[text], VARS[background]) >= 4.5, (text, background)


def rule(selector: str) -> dict[str, str]:
    """The declarations of one rule of the stylesheet, variables resolved."""
    found = re.search(re.escape(selector) + r"\s*\{([^}]*)\}", CSS)
    assert found, selector
    declarations = dict(re.findall(r"([\w-]+)\s*:\s*([^;]+)", found.group(1)))
    return {k: VARS.get(v.strip()[6:-1], v.strip()) if v.strip().startswith("var(") else v.strip() for k, v in declarations.items()}


@pytest.mark.parametrize(
    ("selector", "text"),
    [(".demo-note", None), ("tr.best td", "ink"), ("tr.important td", "ink")],
)
def test_badges_and_highlighted_rows_pass_aa(selector: str, text: str | None) -> None:
    declared = rule(selector)
    foreground = declared.get("color") or VARS[text or "ink"]
    assert contrast(foreground, declared["background"]) >= 4.5, (selector, declared)
