"""WCAG 2.1 contrast, computed in Python: colours from CSS text (hex, rgb(), hsl(), a few
names), the colours of a gradient, relative luminance and the contrast ratio.

Used by tests/test_contrast.py (the stylesheets as written) and tests/e2e/test_layout.py
(the colours the browser computes).
"""

from __future__ import annotations

import colorsys
import itertools
import re
from typing import NamedTuple


class Colour(NamedTuple):
    red: float  # 0-255
    green: float
    blue: float
    alpha: float = 1.0


NAMED = {
    "white": Colour(255, 255, 255),
    "black": Colour(0, 0, 0),
    "transparent": Colour(0, 0, 0, 0.0),
}
_FUNCTION = re.compile(r"^(rgba?|hsla?)\((.*)\)$", flags=re.IGNORECASE | re.DOTALL)


def _number(text: str, *, scale: float = 1.0) -> float:
    text = text.strip()
    if text.endswith("%"):
        return float(text[:-1]) / 100 * scale
    return float(text.removesuffix("deg"))


def parse_colour(text: str) -> Colour:
    """One CSS colour value; anything else (a var(), a keyword we do not know) raises."""
    value = text.strip().lower()
    if value in NAMED:
        return NAMED[value]
    if value.startswith("#"):
        digits = value[1:]
        if len(digits) in (3, 4):
            digits = "".join(c * 2 for c in digits)
        if len(digits) not in (6, 8):
            raise ValueError(f"not a colour: {text!r}")
        channels = [int(digits[i : i + 2], 16) for i in range(0, len(digits), 2)]
        alpha = channels[3] / 255 if len(channels) == 4 else 1.0
        return Colour(*channels[:3], alpha)
    match = _FUNCTION.match(value)
    if not match:
        raise ValueError(f"not a colour: {text!r}")
    name, arguments = match.group(1), match.group(2)
    parts = [p for p in re.split(r"[\s,/]+", arguments.strip()) if p]
    alpha = _number(parts[3], scale=1.0) if len(parts) > 3 else 1.0
    if name.startswith("rgb"):
        red, green, blue = (_number(p, scale=255) for p in parts[:3])
        return Colour(red, green, blue, alpha)
    hue = _number(parts[0]) % 360
    saturation, lightness = _number(parts[1], scale=1), _number(parts[2], scale=1)
    if not parts[1].endswith("%"):  # hsl(211 60 35) without percent signs
        saturation, lightness = saturation / 100, lightness / 100
    red, green, blue = colorsys.hls_to_rgb(hue / 360, lightness, saturation)
    return Colour(red * 255, green * 255, blue * 255, alpha)


def _split_top_level(text: str) -> list[str]:
    """Split on commas that are not inside parentheses."""
    parts, depth, current = [], 0, ""
    for character in text:
        if character == "(":
            depth += 1
        elif character == ")":
            depth -= 1
        if character == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += character
    parts.append(current.strip())
    return parts


_COLOUR_IN_STOP = re.compile(r"(#[0-9a-f]{3,8}\b|(?:rgba?|hsla?)\([^)]*\)|\b[a-z]+\b)", re.I)
_HINT = re.compile(r"^-?[\d.]+(%|px|em|rem)?$")  # a colour hint between two stops
_SAMPLES = 8


def _stop_colour(part: str) -> Colour | None:
    """The colour of one stop; None for the direction or shape ("45deg", "to right")."""
    for candidate in _COLOUR_IN_STOP.findall(part):
        try:
            return parse_colour(candidate)
        except ValueError:
            continue
    return None


def gradient_colours(value: str) -> list[Colour]:
    """Every colour stop of each gradient in a background-image value, and colours sampled
    between neighbouring stops: a blend can be darker than both ends, so the stops alone
    do not bound the contrast of dark text."""
    colours: list[Colour] = []
    for match in re.finditer(r"(?:repeating-)?(?:linear|radial|conic)-gradient\(", value):
        start, depth, index = match.end(), 1, match.end()
        while depth:
            depth += {"(": 1, ")": -1}.get(value[index], 0)
            index += 1
        stops = []
        for position, part in enumerate(_split_top_level(value[start : index - 1])):
            colour = _stop_colour(part)
            if colour is not None:
                stops.append(colour)
            elif not (position == 0 or _HINT.match(part)):
                raise ValueError(f"a gradient stop without a colour we know: {part!r}")
        for first, second in itertools.pairwise(stops):
            colours += [
                Colour(*(a + (b - a) * step / _SAMPLES for a, b in zip(first, second, strict=True)))
                for step in range(_SAMPLES)
            ]
        colours += stops[-1:]
    if "url(" in value:
        raise ValueError(f"text on an image cannot be checked from its CSS: {value!r}")
    return colours


def blend(colour: Colour, background: Colour) -> Colour:
    """A translucent colour as painted on an opaque background."""
    alpha = colour.alpha
    return Colour(
        *(c * alpha + b * (1 - alpha) for c, b in zip(colour[:3], background[:3], strict=True))
    )


def relative_luminance(colour: Colour) -> float:
    def linear(channel: float) -> float:
        channel /= 255
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    red, green, blue = colour[:3]
    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast_ratio(text: Colour, background: Colour) -> float:
    """WCAG 2.1's (L1 + 0.05) / (L2 + 0.05), the text blended onto its background first."""
    if background.alpha < 1:
        background = blend(background, NAMED["white"])
    if text.alpha < 1:
        text = blend(text, background)
    lighter, darker = sorted(
        (relative_luminance(text), relative_luminance(background)), reverse=True
    )
    return (lighter + 0.05) / (darker + 0.05)
