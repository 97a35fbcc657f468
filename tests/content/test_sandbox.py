"""The merge sandbox: its output is text in HTML, it offers nothing that makes markup, and
it runs under a budget (nesting, loop iterations, value and output size, CPU time)."""

import contextlib

import pytest

from newsletter.content import blocks, rendering, sandbox
from newsletter.content.rendering import Content, Links, RenderError, Style
from newsletter.content.sandbox import BudgetExceeded, Limits
from tests.content.steps import loop_steps
from tests.security.helpers import Elements, active_content

HOSTILE_DATA = {"first_name": '<script>window.__pwned=1</script>', "email": "e@example.com",
                "attributes": {"x": '"><img src=x onerror=window.__pwned=1>',
                               "url": "javascript:window.__pwned=1"}}


def saved(html: str, subject: str = "Hi") -> Content:
    return rendering.prepare(blocks.blocks_html([{"type": "html", "text": html, "text2": "",
                                                  "url": "", "label": ""}]), None, subject)


def shown(content: Content, data=HOSTILE_DATA) -> str:
    return rendering.render(content, Style(), data, Links()).html


def assert_harmless(html: str) -> None:
    assert active_content(html, allowed={"meta"}) == []


@pytest.mark.parametrize("source", [
    '<p>{{ "<scr" ~ "ipt>window.__pwned=1</scr" ~ "ipt>" }}</p>',
    '<p>{{ "\\u003cscript\\u003ewindow.__pwned=1\\u003c/script\\u003e" }}</p>',
    "<p>{{ first_name }} {{ attributes.x }}</p>",
    "<p>{{ first_name | e }} {{ attributes.x | escape | string }}</p>",
    '<p title="{{ attributes.x }}">{{ first_name | replace("x", "y") | trim }}</p>',
    '<p>{{ [first_name, attributes.x] | join(" ") }} {{ "%s" | format(first_name) }}</p>',
    '<p>{% for part in [first_name, attributes.x] %}{{ part }}{% endfor %}</p>',
])
def test_merge_output_is_escaped_text_whatever_the_tag_and_data(source):
    html = shown(saved(source))
    assert_harmless(html)
    assert "img" not in Elements(html).tags()
    assert "&lt;script&gt;" in html or "&lt;img" in html


@pytest.mark.parametrize("source, problem", [
    ('<p>{{ attributes.x | safe }}</p>', "No filter named 'safe'"),
    ("<p>{% autoescape false %}{{ first_name }}{% endautoescape %}</p>", "{% autoescape %}"),
    ('<p>{{ {"onclick": "x"} | xmlattr }}</p>', "No filter named 'xmlattr'"),
    ("<p>{{ attributes | tojson }}</p>", "No filter named 'tojson'"),
    ("<p>{{ email | urlize }}</p>", "No filter named 'urlize'"),
    ("<p>{{ email | forceescape }}</p>", "No filter named 'forceescape'"),
    ("<p>{% raw %}{{ '<script>' }}{% endraw %}</p>", "{% raw %} is not allowed"),
    ("<p>{% macro m() %}x{% endmacro %}{{ m() }}</p>", "{% macro %} is not allowed"),
    ("<p>{% filter upper %}{{ email }}{% endfilter %}</p>", "{% filter %} is not allowed"),
    ("<p>{% set x %}<b>{% endset %}{{ x }}</p>", "{% set %}...{% endset %}"),
    ('<p>{% include "layout.html" %}</p>', "{% include %} is not allowed"),
    ('<p>{{ "{0}".format(email) }}</p>', "unsafe"),
    ('<p>{{ lipsum(5) }}</p>', "unknown merge tag {{ lipsum }}"),
    ('<a href="{{ attributes.url }}">site</a>', "starts with a merge tag"),
    ('<p title="{% if email %}">{% endif %}" class="x">t</p>', "is inside an HTML tag"),
])
def test_what_could_make_markup_is_refused_at_save(source, problem):
    with pytest.raises(RenderError) as error:
        saved(source)
    assert problem in str(error.value)


def test_refused_content_stored_before_is_not_rendered_either():
    stored = Content(subject="Hi", body_html="<p>{{ attributes.x | safe }}</p>", body_text="")
    with pytest.raises(RenderError, match="safe"):
        shown(stored)


@pytest.mark.parametrize("body", [
    '<p title="{#">#}" onclick="window.__pwned=1">x</p>',
    '{#<p title="#}<img src=x onerror=window.__pwned=1>">',
    '<p title="{# x #}" {# y #}onclick="window.__pwned=1">x</p>',
])
def test_tags_cannot_stitch_sanitized_pieces_into_new_markup(body):
    """A comment removed at render time must not join what the allow-list saw as text into
    an attribute or a tag: saved or stored before, what renders is clean."""
    stored = Content(subject="Hi", body_html=body, body_text="x")
    assert_harmless(shown(stored))
    with contextlib.suppress(RenderError):  # refused at save is fine too
        assert_harmless(shown(saved(body)))


def test_links_keep_their_literal_scheme():
    content = saved('<a href="https://shop.example/{{ email }}">a</a> '
                    '<a href="mailto:{{ email }}">b</a> <a href="/p/{{ attributes.x }}">c</a>')
    html = shown(content)
    assert 'href="https://shop.example/e@example.com"' in html
    assert 'href="mailto:e@example.com"' in html and "javascript:" not in html


def test_ordinary_merge_tags_still_work():
    content = saved('<p>{% if attributes.city %}News from {{ attributes.city | upper }}'
                    '{% else %}News{% endif %}, {{ first_name | default("friend") }}. '
                    '{% for k, v in attributes | dictsort %}{{ loop.index }}:{{ k }}={{ v }} '
                    '{% endfor %}{{ "%.1f" | format(2.25) }} {{ name | title }}</p>',
                    subject="Hi {{ first_name | default('you') }}")
    out = rendering.render(content, Style(), {"name": "jana n", "attributes": {
        "city": "Brno", "b": "2"}}, Links())
    assert "News from BRNO, friend. 1:b=2 2:city=Brno 2.2 Jana N" in out.html
    assert out.subject == "Hi you"


# --- the budget -------------------------------------------------------------------------
def test_nested_loops_are_refused_at_save_within_the_budget():
    for source in ("{% for a in range(99999) %}{% for b in range(99999) %}x{% endfor %}"
                   "{% endfor %}",
                   "{% for a in range(5000) %}{% for b in range(5000) %}x{% endfor %}"
                   "{% endfor %}"):
        with loop_steps() as work, pytest.raises(RenderError, match="loop"):
            saved(f"<p>{source}</p>")
        assert work["steps"] <= 10_001  # one budget's iterations, not 25 million


@pytest.mark.parametrize("source, problem", [
    ("{% for a in x %}{% for b in a %}{% for c in b %}{% endfor %}{% endfor %}{% endfor %}",
     "nest loops at most 2 deep"),
    ("{{ email" + " | upper" * 60 + " }}", "nested too deeply"),
    ('{{ "a" * 1000000000 }}', "longer than 100,000 characters"),
    ('{{ ("ab" * 40000) | replace("a", "aaaa") }}', "longer than 100,000 characters"),
    ('{% set s = "x" * 60000 %}{{ s ~ s }}', "longer than 100,000 characters"),
    ("{{ 9 ** 99999 }}", "grew too large"),
    ('{{ "%099999999d" % 1 }}', "format width"),
    ('{{ "%0999999999d" | format(1) }}', "format width"),
    ('{% for i in range(9000) %}{{ "y" * 500 }}{% endfor %}', "more than 1,000,000 characters"),
    ("{{ range(20000) | list | length }}", "range() of 20,000 numbers"),
])
def test_each_limit_is_enforced(source, problem):
    with pytest.raises(RenderError) as error:
        saved(f"<p>{source}</p>")
    assert problem in str(error.value)


def test_cpu_time_is_limited():
    slow = sandbox.compile_template(
        '{% for i in range(10000) %}{{ ("ab " * 30000) | wordwrap(3) | length }}{% endfor %}',
        html=True)
    with loop_steps() as work, pytest.raises(BudgetExceeded, match="CPU time"), \
            sandbox.spending(Limits(cpu_seconds=0.02)):
        sandbox.render(slow, {})
    assert work["steps"] < 1_000  # stopped by the clock, long before the 10,000 iterations


def test_data_dependent_work_is_limited_when_it_renders():
    content = saved("<p>{% for a in range(attributes.n | default(0) | int) %}{% for b in "
                    "range(attributes.n | default(0) | int) %}.{% endfor %}{% endfor %}</p>")
    assert "..." in shown(content, {"attributes": {"n": "3"}})
    with loop_steps() as work, pytest.raises(BudgetExceeded, match="10,000 loop iterations"):
        shown(content, {"attributes": {"n": "5000"}})
    assert work["steps"] <= 10_001  # one budget's iterations, not 25 million


def test_one_budget_covers_every_part_of_a_message():
    big = Content(subject="Hi", body_html="<p>{% for i in range(6000) %}.{% endfor %}</p>",
                  body_text="{% for i in range(6000) %}.{% endfor %}")
    with pytest.raises(BudgetExceeded, match="loop iterations"):
        rendering.render(big, Style(), {}, Links())


def test_a_template_renders_only_within_a_budget():
    template = sandbox.compile_template("{{ 1 }}", html=True)
    with pytest.raises(BudgetExceeded, match="outside a budget"):
        template.render({})
    assert sandbox.render(template, {}) == "1"
