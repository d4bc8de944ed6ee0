"""WCAG 2.1 AA contrast of the header and footer, computed from the stylesheets as written.

The page is rendered by Django, its stylesheets (the Utrecht tokens and components, then
static/css/bruggen.css) are read in the order the page links them, and a small cascade
works out each text's colour and what it is painted on: the nearest background colour
and every colour stop of each gradient on the way to it (axe skips text on gradients).
The browser's own view of the same is in tests/e2e/test_layout.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from tests.markup import Element, parse_html
from tests.wcag import NAMED, Colour, contrast_ratio, gradient_colours, parse_colour

pytestmark = pytest.mark.django_db

AA = 4.5  # applied to all text here, large text included: stricter than WCAG's 3:1
VIEWPORTS = (360, 1280)
ROOT_FONT_PX = 16

# What Chromium's own stylesheet gives the elements that matter here.
USER_AGENT_CSS = """
button { color: black; background-color: #efefef; }
[hidden], head, script, style, template { display: none; }
"""


# A stylesheet as rules -------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    selectors: tuple[str, ...]
    declarations: tuple[tuple[str, str, bool], ...]  # (property, value, important)
    media: str  # "" outside @media
    order: int


def _strip_comments(css: str) -> str:
    return re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)


def _blocks(css: str):
    """(prelude, body) for each top-level block, aware of quotes and nested braces."""
    index, start, length = 0, 0, len(css)
    while index < length:
        character = css[index]
        if character in "\"'":
            index = css.index(character, index + 1) + 1
            continue
        if character == ";" and css[start:index].strip().startswith("@"):
            start = index + 1  # @import, @charset: no block
        elif character == "{":
            prelude, depth, index = css[start:index].strip(), 1, index + 1
            body_start = index
            while depth:
                if css[index] in "\"'":
                    index = css.index(css[index], index + 1)
                elif css[index] == "{":
                    depth += 1
                elif css[index] == "}":
                    depth -= 1
                index += 1
            yield prelude, css[body_start : index - 1]
            start = index
            continue
        index += 1


def _split(text: str, separator: str) -> list[str]:
    """Split on a separator outside parentheses and quotes."""
    parts, depth, quote, current = [], 0, "", ""
    for character in text:
        if quote:
            quote = "" if character == quote else quote
        elif character in "\"'":
            quote = character
        elif character == "(":
            depth += 1
        elif character == ")":
            depth -= 1
        elif character == separator and depth == 0:
            parts.append(current)
            current = ""
            continue
        current += character
    parts.append(current)
    return [part.strip() for part in parts if part.strip()]


def parse_stylesheet(css: str, *, first_order: int = 0, media: str = "") -> list[Rule]:
    rules: list[Rule] = []
    for prelude, body in _blocks(_strip_comments(css)):
        order = first_order + len(rules)
        if prelude.startswith("@media"):
            inner = prelude.removeprefix("@media").strip()
            rules += parse_stylesheet(body, first_order=order, media=f"{media} and {inner}")
        elif prelude.startswith(("@supports", "@layer")):
            rules += parse_stylesheet(body, first_order=order, media=media)
        elif prelude.startswith("@"):
            continue  # @font-face, @keyframes, @property
        else:
            declarations = []
            for declaration in _split(body, ";"):
                name, _, value = declaration.partition(":")
                important = bool(re.search(r"!\s*important\s*$", value))
                value = re.sub(r"!\s*important\s*$", "", value).strip()
                declarations.append((name.strip().lower(), value, important))
            rules.append(Rule(tuple(_split(prelude, ",")), tuple(declarations), media, order))
    return rules


def _media_applies(media: str, width: int) -> bool:
    for condition in filter(None, (part.strip() for part in media.split(" and "))):
        if condition in ("screen", "all"):
            continue
        match = re.fullmatch(r"\((min|max)-width:\s*([\d.]+)(px|rem|em)\)", condition)
        if not match:
            return False  # print, prefers-color-scheme, forced-colors...: not this screen
        limit = float(match[2]) * (1 if match[3] == "px" else ROOT_FONT_PX)
        if (match[1] == "min" and width < limit) or (match[1] == "max" and width > limit):
            return False
    return True


# Selectors -------------------------------------------------------------------------------

_COMPOUND = re.compile(
    r"(?P<tag>^[a-z][a-z0-9-]*|^\*)|\.(?P<cls>[\w-]+)|#(?P<id>[\w-]+)"
    r"|\[(?P<attr>[\w-]+)(?:(?P<op>[~|^$*]?=)\"?(?P<val>[^\]\"]*)\"?)?\]"
    r"|(?P<pseudo>::?[\w-]+(?:\((?P<arg>[^()]*(?:\([^()]*\))?[^()]*)\))?)",
    flags=re.IGNORECASE,
)


def _compound_matches(compound: str, element: Element) -> tuple[bool, tuple[int, int, int]]:
    ids = classes = tags = 0
    position = 0
    for match in _COMPOUND.finditer(compound):
        if match.start() != position:
            return False, (0, 0, 0)
        position = match.end()
        if match["tag"]:
            tags += match["tag"] != "*"
            if match["tag"] != "*" and match["tag"].lower() != element.tag:
                return False, (0, 0, 0)
        elif match["cls"]:
            classes += 1
            if match["cls"] not in element.classes:
                return False, (0, 0, 0)
        elif match["id"]:
            ids += 1
            if element.attrs.get("id") != match["id"]:
                return False, (0, 0, 0)
        elif match["attr"]:
            classes += 1
            value = element.attrs.get(match["attr"])
            if value is None:
                return False, (0, 0, 0)
            wanted, operator = match["val"], match["op"]
            if operator == "=" and value != wanted:
                return False, (0, 0, 0)
            if operator == "~=" and wanted not in value.split():
                return False, (0, 0, 0)
            if operator and operator not in ("=", "~="):
                return False, (0, 0, 0)
        else:
            pseudo, argument = match["pseudo"].lower(), match["arg"]
            if pseudo.startswith("::") or pseudo in (":before", ":after"):
                return False, (0, 0, 0)  # generated content: decoration, not checked
            name = pseudo.split("(")[0]
            if name == ":root":
                classes += 1
                if element.tag != "html":
                    return False, (0, 0, 0)
            elif name in (":link", ":any-link"):
                classes += 1
                if element.tag != "a" or "href" not in element.attrs:
                    return False, (0, 0, 0)
            elif name == ":not":
                inner = [_compound_matches(part, element)[0] for part in _split(argument, ",")]
                classes += 1
                if any(inner):
                    return False, (0, 0, 0)
            elif name in (":is", ":where"):
                if not any(_compound_matches(part, element)[0] for part in _split(argument, ",")):
                    return False, (0, 0, 0)
                classes += name == ":is"
            else:
                return False, (0, 0, 0)  # :hover, :focus, :first-child...: a state not painted here
    return position == len(compound), (ids, classes, tags)


def selector_matches(selector: str, element: Element) -> tuple[bool, tuple[int, int, int]]:
    """Descendant and child combinators over compound selectors; anything fancier fails to
    match, which leaves the browser test to judge it."""
    tokens = re.split(r"\s*(>)\s*|\s+", selector.strip())
    parts = [token for token in tokens if token]
    if any(part in ("+", "~") for part in parts):
        return False, (0, 0, 0)
    matched, specificity = _compound_matches(parts[-1], element)
    if not matched:
        return False, (0, 0, 0)
    total = list(specificity)
    node: Element | None = element
    index = len(parts) - 2
    while index >= 0:
        child_only = parts[index] == ">"
        compound = parts[index - 1] if child_only else parts[index]
        node = node.parent if node is not None else None
        found = False
        while node is not None and node.tag != "#document":
            ok, weight = _compound_matches(compound, node)
            if ok:
                found, total = True, [a + b for a, b in zip(total, weight, strict=True)]
                break
            if child_only:
                break
            node = node.parent
        if not found:
            return False, (0, 0, 0)
        index -= 2 if child_only else 1
    return True, (total[0], total[1], total[2])


# The cascade -----------------------------------------------------------------------------


@dataclass
class Computed:
    display: str
    colour: Colour
    background: Colour
    images: list[str]
    custom: dict[str, str]


def _substitute(value: str, custom: dict[str, str], depth: int = 0) -> str:
    """var() replaced; an undefined property without a fallback makes the whole value
    invalid at computed-value time, which CSS treats as `unset` (here: "unset")."""
    if depth > 20:
        raise ValueError(f"var() cycle in {value!r}")
    start = value.find("var(")
    if start == -1:
        return value
    index, level = start + 4, 1
    while level:
        level += {"(": 1, ")": -1}.get(value[index], 0)
        index += 1
    name, comma, fallback = value[start + 4 : index - 1].partition(",")
    if name.strip() in custom:
        replacement = custom[name.strip()]
    elif comma:
        replacement = fallback.strip()
    else:
        return "unset"
    return _substitute(value[:start] + replacement + value[index:], custom, depth + 1)


def _background_shorthand(value: str) -> tuple[str, str]:
    """(colour, image) from `background: ...`; what the shorthand omits resets."""
    image = "none"
    for match in re.finditer(r"((?:repeating-)?(?:linear|radial|conic)-gradient|url)\(", value):
        image = value[match.start() :]
        break
    colour = "transparent"
    for word in re.findall(r"#[0-9a-f]{3,8}\b|(?:rgba?|hsla?)\([^)]*\)|\b[a-z]+\b", value, re.I):
        if image != "none" and word in image:
            continue
        try:
            parse_colour(word)
        except ValueError:
            continue
        colour = word
    return colour, image


def _subject_classes(selector: str) -> set[str]:
    """The classes the selector's last compound requires (outside :not()): a quick no."""
    last = re.split(r"\s*>\s*|\s+", selector.strip())[-1]
    return set(re.findall(r"\.([\w-]+)", re.sub(r":not\([^)]*\)", "", last)))


class Cascade:
    def __init__(self, rules: list[Rule], width: int) -> None:
        self.selectors = [
            (rule, selector, _subject_classes(selector))
            for rule in rules
            if _media_applies(rule.media, width)
            for selector in rule.selectors
        ]
        self.cache: dict[int, Computed] = {}

    def declarations(self, element: Element) -> list[tuple[str, str]]:
        found = []
        classes = element.classes
        for rule, selector, required in self.selectors:
            if required and not required <= classes:
                continue
            matched, specificity = selector_matches(selector, element)
            if matched:
                for name, value, important in rule.declarations:
                    found.append(((important, specificity, rule.order), name, value))
        found.sort(key=lambda item: item[0])
        return [(name, value) for _key, name, value in found]

    def computed(self, element: Element) -> Computed:
        if id(element) in self.cache:
            return self.cache[id(element)]
        parent = (
            self.computed(element.parent)
            if element.parent is not None and element.parent.tag != "#document"
            else Computed("block", NAMED["black"], NAMED["transparent"], [], {})
        )
        declared = self.declarations(element)
        custom = dict(parent.custom)
        for name, value in declared:
            if name.startswith("--"):
                substituted = _substitute(value, custom)
                if substituted == "unset":
                    custom.pop(name, None)  # invalid: as if the property were not set
                else:
                    custom[name] = substituted
        values: dict[str, str] = {}
        for name, value in declared:
            if name.startswith("--"):
                continue
            value = _substitute(value, custom)
            if name == "background":
                values["background-color"], values["background-image"] = _background_shorthand(
                    value
                )
            else:
                values[name] = value

        colour_value = values.get("color", "inherit").strip().lower() or "inherit"
        if colour_value in ("inherit", "currentcolor", "unset"):
            colour = parent.colour
        elif colour_value == "initial":
            colour = NAMED["black"]
        else:
            colour = parse_colour(colour_value)
        background_value = values.get("background-color", "transparent").strip().lower()
        background_value = background_value or "transparent"
        if background_value in ("initial", "unset", "inherit"):
            background_value = "transparent"
        background = (
            colour if background_value == "currentcolor" else parse_colour(background_value)
        )
        image = values.get("background-image", "none").strip()
        display = values.get("display", "inline").strip()
        if parent.display == "none":
            display = "none"
        result = Computed(
            display, colour, background, [] if image in ("none", "initial") else [image], custom
        )
        self.cache[id(element)] = result
        return result

    def painted_on(self, element: Element) -> list[Colour]:
        """The background colour under the element and the colours of every gradient on the
        way up to it."""
        colours: list[Colour] = []
        node: Element | None = element
        while node is not None and node.tag != "#document":
            computed = self.computed(node)
            for image in computed.images:
                colours += gradient_colours(image)
            if computed.background.alpha > 0:
                return [computed.background, *colours]
            node = node.parent
        return [NAMED["white"], *colours]


# The page ------------------------------------------------------------------------------


def _stylesheets(page: Element) -> str:
    """The CSS the page uses, in the order it uses it: linked files, then <style> blocks."""
    css = [USER_AGENT_CSS]
    for element in page.iter():
        if element.tag == "link" and element.attrs.get("rel") == "stylesheet":
            path = finders.find(element.attrs["href"].removeprefix("/static/"))
            assert path, f"{element.attrs['href']} is not a static file"
            css.append(Path(path).read_text())
        elif element.tag == "style":
            css.append(" ".join(element.texts))
    return "\n".join(css)


def _texts_in_header_and_footer(page: Element) -> list[Element]:
    regions = [*page.find_all("header"), *page.find_all("footer")]
    assert len(regions) == 2, "one header and one footer"
    return [element for region in regions for element in region.iter() if element.own_text]


def contrast_failures(html: str, *, extra_css: str = "") -> tuple[list[str], int]:
    page = parse_html(html)
    root = page.find_all("html")[0]
    # As with JavaScript on: static/js/menu.js marks <html> before the first paint.
    root.attrs["class"] = root.attrs.get("class", "") + " bruggen-js"
    for nav in page.find_all("nav", "bruggen-nav"):  # the menu open, on a phone
        nav.attrs["class"] += " bruggen-nav--open"
    rules = parse_stylesheet(_stylesheets(page) + extra_css)
    failures, checked = [], 0
    for width in VIEWPORTS:
        cascade = Cascade(rules, width)
        for element in _texts_in_header_and_footer(page):
            computed = cascade.computed(element)
            if computed.display == "none":
                continue
            for background in cascade.painted_on(element):
                checked += 1
                ratio = contrast_ratio(computed.colour, background)
                if ratio < AA:
                    failures.append(
                        f"{width}px <{element.tag} class={element.attrs.get('class', '')!r}> "
                        f"{element.own_text[:30]!r}: {ratio:.2f} on {background}"
                    )
    return list(dict.fromkeys(failures)), checked


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_header_and_footer_text_reach_aa_contrast_on_every_background_stop(
    client: Client, user_client: Client, signed_in: bool
):
    html = (user_client if signed_in else client).get("/").content.decode()
    failures, checked = contrast_failures(html)
    assert checked >= 20
    assert not failures, "\n".join(failures)


def test_the_check_sees_text_on_the_theme_footer_gradient(client: Client):
    """The footer as it was: grey text on the Utrecht theme's red gradient (about 1.5:1),
    which axe does not report. The check must catch it on each colour stop."""
    html = client.get("/").content.decode()
    failures, _checked = contrast_failures(
        html,
        extra_css="""
        .bruggen-footer {
          --utrecht-page-footer-background-image: linear-gradient(45deg, var(--utrecht-color-red-40), var(--utrecht-color-red-40) 50%, #d63433 50%);
          --utrecht-page-footer-background-color: var(--utrecht-color-red-40);
          color: #4a4a4a;
        }""",
    )
    footer = [failure for failure in failures if "Bruggen verbindt" in failure]
    assert any("1.51" in failure for failure in footer)  # on red-40, #cc0000
    assert any("1.86" in failure for failure in footer)  # on the #d63433 stop


def test_the_checker_computes_wcag_ratios():
    assert contrast_ratio(parse_colour("#fff"), parse_colour("#000")) == pytest.approx(21)
    assert contrast_ratio(parse_colour("#767676"), parse_colour("white")) == pytest.approx(
        4.54, abs=0.01
    )
    assert parse_colour("hsl(211 60% 35%)")[:3] == pytest.approx((36, 87.2, 142.8), abs=0.5)
    assert parse_colour("rgba(0, 0, 0, 0)").alpha == 0
    # Between a light and a dark stop the blend passes through the middle too.
    assert len(gradient_colours("linear-gradient(to right, #fff, #000)")) > 2
