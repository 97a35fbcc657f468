"""Bulk rendering lays a campaign out once and fills slots per recipient; every message
must come out exactly as the general renderer makes it."""

import pytest

from newsletter.content import blocks, prerendering, rendering
from newsletter.content.prerendering import Shape
from newsletter.content.rendering import Links, Style
from newsletter.tracking import clicks

BASE = "https://news.example"
STYLE = Style(organization="Example Ltd.", legal_notice="Reg. no. 123",
              logo_url=BASE + "/media/logo.png")
BLOCKS = [
    {"type": "heading", "text": "Hello {{ first_name | default('friend') }}"},
    {"type": "text", "text": "<p>{% if attributes.city %}News from {{ attributes.city }}"
                             "{% else %}News for everyone{% endif %}, {{ name }}. Read "
                             '<a href="https://shop.example/a?x=1&amp;y=2">the shop</a> '
                             'or <a href="https://blog.example/">the blog</a>.</p>'},
    {"type": "image", "url": "/media/photo.png", "label": "Photo",
     "text": "https://shop.example/photo"},
    {"type": "button", "label": "Buy", "url": "https://shop.example/buy"},
    {"type": "columns", "text": "<p>Left {{ email }}</p>", "text2": "<p>Right</p>"},
]
PEOPLE = [
    {"first_name": "Jana", "last_name": "Nováková", "name": "Jana Nováková",
     "email": "jana@example.com", "attributes": {"city": "Brno"}},
    {"email": "anon@example.com", "attributes": {}},
]


def content(blocks_list=BLOCKS, subject="News for {{ first_name | default('you') }}"):
    return rendering.prepare(blocks.blocks_html(blocks.clean_blocks(blocks_list)), None,
                             subject)


def links(delivery_id: int, profile: bool, pixel: bool) -> Links:
    return Links(unsubscribe=f"{BASE}/u/unsub-{delivery_id}?a=1&b=2",
                 profile=f"{BASE}/p/CODE{delivery_id}?s=x" if profile else None,
                 webview=f"{BASE}/m/view-{delivery_id}",
                 open_pixel=f"{BASE}/o/px-{delivery_id}.gif" if pixel else None,
                 base_url=BASE)


def both(c, shape: Shape, data: dict, delivery_id: int = 7):
    link_ids = {}

    def ids_for(urls):
        return {url: link_ids.setdefault(url, len(link_ids) + 1) for url in urls}

    token = f"tok{delivery_id}&t"  # what the sender passes: one token per message

    def click(link_id):
        return clicks.click_url(BASE, token, link_id)

    prepared = prerendering.prepare(c, STYLE, shape, BASE, ids_for)
    assert prepared is not None
    its_links = links(delivery_id, shape.profile, shape.open_pixel)
    fast = prepared.fill(data, its_links, clicks.click_urls(BASE, token, prepared.link_ids))
    track = (lambda urls: {u: click(i) for u, i in ids_for(urls).items()}) \
        if shape.tracked else None
    slow = rendering.render(c, STYLE, data, its_links, track=track)
    return fast, slow


@pytest.mark.parametrize("data", PEOPLE)
@pytest.mark.parametrize("shape", [Shape("en", True, True, True), Shape("en", False, True, False),
                                   Shape("sk", True, False, False)])
def test_bulk_rendering_gives_the_same_message_as_the_general_renderer(data, shape):
    fast, slow = both(content(), shape, data)
    assert fast.subject == slow.subject
    assert fast.html == slow.html
    assert fast.text == slow.text
    assert fast.links == slow.links
    if shape.tracked:
        assert f"{BASE}/c/tok7&amp;t/1" in fast.html and f"{BASE}/c/tok7&t/1" in fast.text
        assert "https://shop.example/a" not in fast.html
    else:
        assert "https://shop.example/a?x=1&amp;y=2" in fast.html


def test_typed_text_alternative_and_personal_links_are_filled():
    c = rendering.prepare("<p>Hi {{ first_name }}, see https://shop.example/a</p>",
                          "Hi {{ first_name }},\nsee https://shop.example/a\n", "Hi")
    fast, slow = both(c, Shape(None, True, True, False), PEOPLE[0])
    assert fast.text == slow.text and fast.html == slow.html
    assert "Unsubscribe: https://news.example/u/unsub-7?a=1&b=2" in fast.text
    assert 'href="https://news.example/u/unsub-7?a=1&amp;b=2"' in fast.html


def test_merged_values_are_escaped_in_html_and_plain_in_text():
    data = {"first_name": '<b>Bob & "Al"</b>', "name": "x", "email": "b@example.com",
            "attributes": {}}
    fast, slow = both(content(), Shape("en", True, True, True), data)
    assert "<b>Bob" not in fast.html and "&lt;b&gt;Bob &amp;" in fast.html
    assert '<b>Bob & "Al"</b>' in fast.text and fast.text == slow.text
    assert fast.subject == slow.subject == 'News for <b>Bob & "Al"</b>'


def test_content_the_shortcut_cannot_reproduce_is_left_to_the_general_renderer():
    in_href = rendering.prepare('<p><a href="https://shop.example/{{ email }}">me</a></p>',
                                None, "Hi")
    assert prerendering.prepare(in_href, STYLE, Shape("en", True, True, False), BASE,
                                lambda urls: {}) is None


def test_content_the_sandbox_refuses_never_reaches_either_renderer():
    """``safe`` is not in the sandbox: refused at save, and a stored one renders nowhere."""
    with pytest.raises(rendering.RenderError, match="safe"):
        rendering.prepare("<p>{{ attributes.x | safe }}</p>", None, "Hi")
    stored = rendering.Content(subject="Hi", body_html="<p>{{ attributes.x | safe }}</p>",
                               body_text="Hi")
    assert prerendering.prepare(stored, STYLE, Shape("en", True, True, False), BASE,
                                lambda urls: {}) is None
    with pytest.raises(rendering.RenderError, match="safe"):
        rendering.render(stored, STYLE, {"attributes": {"x": "<script>"}}, links(1, False,
                                                                                  False))
