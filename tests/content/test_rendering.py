"""The renderer: sanitizing, sandboxed merge tags checked at save, theme layout with CSS
inlined and a responsive rule kept, a text alternative, tracked links."""

import pytest

from newsletter.content import blocks, rendering, themes
from newsletter.content.rendering import Content, Links, RenderError, Style


def prepared(*block_list, subject="Hi"):
    return rendering.prepare(blocks.blocks_html(blocks.clean_blocks(list(block_list))), None,
                             subject)


def test_sanitizing_removes_scripts_event_handlers_and_javascript_urls():
    dirty = ('<p onclick="steal()">Hello <a href="javascript:alert(1)">x</a>'
             '<a href="https://shop.example/">shop</a></p><script>alert(1)</script>'
             '<img src="https://cdn.example/a.png" onerror="x()" alt="A">'
             '<style>p{}</style><iframe src="https://evil.example"></iframe>')
    clean = rendering.sanitize(dirty)
    assert "script" not in clean and "onclick" not in clean and "onerror" not in clean
    assert "javascript:" not in clean and "iframe" not in clean and "<style" not in clean
    assert '<a href="https://shop.example/">shop</a>' in clean
    assert '<img src="https://cdn.example/a.png" alt="A">' in clean


def test_what_the_rich_text_editor_writes_survives_sanitizing():
    quill = ('<h2>Big news</h2><p>Dear {{ first_name | default("friend") }}, our '
             '<strong>sale</strong> and <em>more</em> in the <a href="https://shop.example/" '
             'rel="noopener noreferrer" target="_blank">shop</a>.</p>'
             "<ul><li>Shoes</li><li>Coats</li></ul><ol><li>First</li></ol>")
    clean = rendering.sanitize(quill)
    assert clean == quill.replace(' rel="noopener noreferrer" target="_blank"', "")


def test_quills_raw_list_markup_becomes_real_lists():
    """Quill keeps every list in one <ol> with the kind on each item; pasted as it is into
    the HTML view, bullets must stay bullets (not numbers) in mail clients."""
    raw = ('<ol><li data-list="bullet"><span class="ql-ui" contenteditable="false"></span>'
           'Shoes</li><li data-list="bullet">Coats</li><li data-list="ordered">Step one</li>'
           '</ol><p>After</p><ol><li>Plain numbered</li></ol>')
    assert rendering.sanitize(raw) == (
        "<ul><li>Shoes</li><li>Coats</li></ul><ol><li>Step one</li></ol><p>After</p>"
        "<ol><li>Plain numbered</li></ol>")
    html = prepared({"type": "text", "text": raw}).body_html
    assert "<ul><li>Shoes</li><li>Coats</li></ul>" in html and "data-list" not in html


def test_word_paste_keeps_text_and_structure():
    word = ('<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><style>'
            '.MsoNormal{}</style></head><body><!--[if gte mso 9]><xml>x</xml><![endif]-->'
            '<p class="MsoNormal" style="margin:0">Dear <b>customer</b><o:p></o:p></p>'
            '<ul><li>One</li></ul></body></html>')
    clean = rendering.sanitize(word)
    assert '<p class="MsoNormal">Dear <b>customer</b></p><ul><li>One</li></ul>' in clean
    assert "style" not in clean and "mso" not in clean


def test_merge_tags_fall_back_and_escape_values():
    content = prepared({"type": "text", "text": '<p>Dear {{ first_name | default("friend") }}'
                                                ' from {{ attributes.city | default("") }}</p>'},
                       subject='News for {{ first_name | default("you") }}')
    out = rendering.render(content, Style(), {"attributes": {}}, Links())
    assert out.subject == "News for you"
    assert "Dear friend" in out.html and "Dear friend" in out.text
    out = rendering.render(content, Style(), {"first_name": "<b>Eve</b>",
                                              "attributes": {"city": "Brno"}}, Links())
    assert "Dear &lt;b&gt;Eve&lt;/b&gt; from Brno" in out.html
    assert out.subject == "News for <b>Eve</b>"  # headers are not HTML


@pytest.mark.parametrize("source, problem", [
    ("{{ surname }}", "unknown merge tag {{ surname }}"),
    ('{{ first_name | default("x" }}', "merge tag error on line 1"),
    ("{{ first_name.__class__.__mro__ }}", "unsafe"),
    ("{{ lipsum.__globals__[\"os\"] }}", "unknown merge tag {{ lipsum }}"),
])
def test_bad_merge_tags_are_reported_at_save(source, problem):
    with pytest.raises(RenderError, match="Content") as error:
        prepared({"type": "text", "text": f"<p>{source}</p>"})
    assert problem in str(error.value)


def test_layout_inlines_theme_css_and_keeps_the_mobile_rule():
    content = prepared({"type": "heading", "text": "Spring"},
                       {"type": "columns", "text": "<p>L</p>", "text2": "<p>R</p>"},
                       {"type": "button", "label": "Shop", "url": "https://shop.example/"})
    style = Style(primary_color="#aa0000", font_family="Georgia, serif", organization="Acme",
                  legal_notice="Acme s.r.o., IČO 123")
    out = rendering.render(content, style, {}, Links(unsubscribe="https://n.example/u/t"))
    assert 'class="nl-heading" style="' in out.html and "color: #aa0000" in out.html
    assert "font-family: Georgia, serif" in out.html
    assert "@media only screen and (max-width: 620px)" in out.html  # responsive at 320 px
    assert 'name="viewport"' in out.html
    assert "Acme s.r.o., IČO 123" in out.html and "Acme s.r.o., IČO 123" in out.text
    assert 'href="https://n.example/u/t"' in out.html
    assert "Unsubscribe: https://n.example/u/t" in out.text


def test_footer_lines_of_the_theme_stay_lines():
    content = prepared({"type": "text", "text": "<p>x</p>"})
    style = Style(organization="Acme", contact_details="Main Street 1\n811 01 Bratislava\n\n"
                  "+421 2 1234 5678", legal_notice="Acme s.r.o.\nIČO 123")
    out = rendering.render(content, style, {}, Links(unsubscribe="https://n.example/u/t"))
    assert "Main Street 1<br>811 01 Bratislava<br>+421 2 1234 5678<br>" in out.html
    assert "Acme s.r.o.<br>IČO 123</span>" in out.html
    assert "Main Street 1\n811 01 Bratislava" in out.text


@pytest.mark.parametrize("font", sorted(themes.FONTS))
def test_every_offered_font_keeps_the_theme_css(font):
    """A font name in quotes (Georgia, 'Times New Roman') must not break the style sheet."""
    content = prepared({"type": "heading", "text": "Spring"}, {"type": "text", "text": "<p>x</p>"})
    out = rendering.render(content, Style(primary_color="#aa0000", font_family=font), {},
                           Links(unsubscribe="https://n.example/u/t"))
    assert f"font-family: {font}" in out.html.replace("&#39;", "'").replace("&quot;", '"')
    assert "&#39;" not in out.html.split("<style")[1].split("</style>")[0]
    heading = out.html.split('class="nl-heading"')[1].split(">")[0]
    assert "color: #aa0000" in heading and "font-size: 26px" in heading
    block = out.html.split('class="nl-block"')[1].split(">")[0]
    assert "padding: 8px 20px" in block
    assert "max-width: 100% !important" in out.html  # the mobile rule survives


def test_a_css_value_cannot_leave_its_declaration():
    content = prepared({"type": "text", "text": "<p>x</p>"})
    out = rendering.render(content, Style(font_family="x; } body { color: red",
                                          text_color="red</style><script>"), {}, Links())
    assert "<script>" not in out.html and "color: red" not in out.html
    assert "font-family: Arial, Helvetica, sans-serif" in out.html


def test_text_alternative_is_generated_with_link_targets():
    content = prepared({"type": "heading", "text": "News"},
                       {"type": "text", "text": "<p>Read <a href='https://a.example/x'>this"
                                                "</a>.</p><ul><li>one</li><li>two</li></ul>"},
                       {"type": "divider"}, {"type": "button", "label": "Go",
                                             "url": "https://b.example/"})
    assert content.body_text.startswith("News\n\nRead this (https://a.example/x).")
    assert "- one\n- two" in content.body_text
    assert "Go (https://b.example/)" in content.body_text


def test_tracked_links_replace_targets_in_html_and_text_but_not_footer_links():
    content = prepared({"type": "text", "text": '<p><a href="https://a.example/x?y=1&z=2">A'
                                                '</a> <a href="mailto:me@example.com">m</a></p>'})
    seen = []

    def track(urls):
        seen.extend(urls)
        return {u: f"https://n.example/c/token/{i}" for i, u in enumerate(urls)}

    out = rendering.render(content, Style(), {}, Links(unsubscribe="https://n.example/u/1"),
                           track=track)
    assert seen == ["https://a.example/x?y=1&z=2"]
    assert 'href="https://n.example/c/token/0"' in out.html and "a.example" not in out.html
    assert "(https://n.example/c/token/0)" in out.text and "a.example" not in out.text
    assert 'href="https://n.example/u/1"' in out.html and 'href="mailto:me@example.com"' \
        in out.html


def test_uploaded_images_get_absolute_addresses():
    content = prepared({"type": "image", "url": "/media/abc", "label": "Logo",
                        "text": "https://shop.example/"})
    out = rendering.render(content, Style(), {}, Links(base_url="https://n.example"))
    assert 'src="https://n.example/media/abc"' in out.html
    assert '<a href="https://shop.example/"' in out.html


def test_language_variant_content_is_used_as_given():
    german = Content(subject="Hallo {{ first_name }}", body_html="<p>Guten Tag</p>",
                     body_text="", language="de")
    out = rendering.render(german, Style(), {"first_name": "Eva"}, Links())
    assert out.subject == "Hallo Eva" and 'lang="de"' in out.html and "Guten Tag" in out.text


def test_unknown_block_type_is_refused():
    with pytest.raises(blocks.BlockError):
        blocks.clean_blocks([{"type": "video"}])


def test_the_footer_speaks_the_language_of_the_content():
    content = prepared({"type": "text", "text": "<p>Hallo</p>"})
    german = Content(subject=content.subject, body_html=content.body_html,
                     body_text=content.body_text, language="de")
    links = Links(unsubscribe="https://n.example/u/t", profile="https://n.example/p/c",
                  webview="https://n.example/m/t")
    out = rendering.render(german, Style(), {}, links)
    assert '<html lang="de">' in out.html
    for words in ("Diese Nachricht im Browser ansehen", ">Abbestellen</a>",
                  "Profil und Daten verwalten"):
        assert words in out.html
    assert "Abbestellen: https://n.example/u/t" in out.text
    assert "Im Browser ansehen: https://n.example/m/t" in out.text
    english = rendering.render(content, Style(), {}, links)
    assert "View this message in your browser" in english.html
    assert "Unsubscribe: https://n.example/u/t" in english.text


@pytest.mark.parametrize("template", sorted(blocks.TEMPLATES))
def test_message_headings_skip_no_level(template):
    """A screen reader lists a message's headings: one title (h1), then sections (h2...),
    never a jump from h1 to h3; also with several heading blocks."""
    import re

    extra = [{"type": "heading", "text": "Second part"}, {"type": "heading", "text": "Third"}]
    body = blocks.clean_blocks(blocks.template_blocks(template) + extra)
    out = rendering.render(rendering.prepare(blocks.blocks_html(body), None, "Hi"), Style(),
                           {"attributes": {}}, Links())
    levels = [int(level) for level in re.findall(r"<h([1-6])\b", out.html)]
    assert levels.count(1) == 1 and levels[0] == 1
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), levels
