"""The small print of every message (the "view in browser" line, the footer) stays
readable, at 4.5:1 or more, on light and dark themes alike."""

import re

import pytest

from newsletter.content import rendering
from newsletter.content.colours import contrast, readable_on
from newsletter.content.rendering import Links, Style


def inline_colour(html: str, marker: str) -> str:
    """The inlined ``color:`` of the first element whose opening tag contains ``marker``."""
    tag = re.search(r"<[^>]*" + re.escape(marker) + r"[^>]*>", html).group(0)
    return re.search(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{6})", tag).group(1)


def rendered(style: Style) -> str:
    content = rendering.prepare("<p>Body</p>", None, "Subject")
    return rendering.render(content, style, {}, Links(
        webview="https://n.example/m/1", unsubscribe="https://n.example/u/t",
        profile="https://n.example/p/t")).html


@pytest.mark.parametrize("background", ["#111827", "#000000", "#1a5fb4", "#374151",
                                        "#f3f4f6", "#ffffff", "#777777"])
def test_view_in_browser_and_footer_reach_4_5_to_1_on_the_theme(background):
    html = rendered(Style(background_color=background, text_color="#e5e7eb"))
    link = inline_colour(html, 'href="https://n.example/m/1"')
    line = inline_colour(html, 'class="nl-preheader"')
    assert contrast(link, background) >= 4.5, (link, background)
    assert contrast(line, background) >= 4.5, (line, background)
    footer_link = inline_colour(html, 'href="https://n.example/u/t"')
    footer = inline_colour(html, 'class="nl-footer"')
    assert contrast(footer_link, rendering.CONTAINER) >= 4.5
    assert contrast(footer, rendering.CONTAINER) >= 4.5


def test_a_dark_theme_gets_light_small_print_and_a_light_one_keeps_its_grey():
    dark = rendered(Style(background_color="#111827"))
    assert inline_colour(dark, 'href="https://n.example/m/1"') == "#ffffff"
    light = rendered(Style())
    assert inline_colour(light, 'href="https://n.example/m/1"') == "#374151"


def test_contrast_ratio_matches_wcag_reference_values():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert readable_on("#ffffff", "#777777") == "#111827"
    assert readable_on("#ffffff", "#595959") == "#595959"
