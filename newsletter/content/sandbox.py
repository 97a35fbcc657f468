"""The one sandbox every user template runs in (merge tags of e-mail subjects, bodies and
plain text; the SMS channel will use it too), and the budget it runs under.

Two guarantees, whatever an editor writes and whatever a contact's data holds:

- **Merge output is text.** Nothing in the sandbox makes markup: no ``safe`` filter, no
  ``Markup`` (``escape`` gives a plain string; autoescape escapes it once), no
  ``{% autoescape %}``, macros, blocks, includes or ``{% raw %}``; only the filters, globals
  and methods listed here. In an HTML template every ``{{ ... }}`` is escaped.
- **A budget.** Statically, when a template is compiled (at save, and again before it is
  sent): source size, loop nesting and expression depth. While it renders: loop iterations,
  the size of every value and of the output, and CPU time. Exceeding any of them raises
  ``BudgetExceeded`` (a ``RenderError``): at save a field error, at send that recipient's
  delivery fails with the message.

Render only with ``render(template, data)``, inside ``spending()`` when several renders
(one message's subject, HTML and text; a save's trial renders) share one budget."""

import contextvars
import functools
import re
import time
from dataclasses import dataclass
from itertools import islice

from flask_babel import format_number, get_locale, gettext, ngettext
from jinja2 import nodes
from jinja2.filters import FILTERS
from jinja2.runtime import markup_join, str_join
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import pass_eval_context

from newsletter.errors import DomainError


def error_language() -> str:
    """The language error messages are written in: part of the key of every cache that
    keeps a failure (a refused template), so no one reads another person's language."""
    return str(get_locale() or "")


def _count(number: int) -> str:
    """A limit in an error message, grouped the way the reader's language groups it."""
    return format_number(number) if get_locale() is not None else f"{number:,}"


def merge_tag_error(problem: str, line: int | None = None) -> str:
    """A syntax error of a merge tag; ``problem`` is Jinja's own (English) description."""
    if line:
        return gettext("merge tag error on line %(line)s: %(problem)s", line=line,
                       problem=problem)
    return gettext("merge tag error: %(problem)s", problem=problem)


class RenderError(DomainError):
    """A template cannot be rendered (syntax, unknown tag, refused construct, budget)."""


class BudgetExceeded(RenderError):
    pass


@dataclass(frozen=True)
class Limits:
    source: int = 500_000  # characters of template source
    loop_depth: int = 2  # loops inside loops
    depth: int = 40  # nesting of statements and expressions
    iterations: int = 10_000  # loop iterations (and the longest range) per budget
    value: int = 100_000  # characters (or items) of any one value
    output: int = 1_000_000  # characters written per budget
    cpu_seconds: float = 0.05  # CPU time of the rendering thread per budget


#: one message: its subject, HTML and text together
MESSAGE = Limits()
#: a save or preview checks every part with sample and with empty data
CHECK = Limits(cpu_seconds=0.1)

_FILTERS = ("abs", "capitalize", "count", "d", "default", "dictsort", "first", "float",
            "format", "int", "items", "join", "last", "length", "list", "lower", "map", "max",
            "min", "reject", "rejectattr", "replace", "reverse", "round", "select",
            "selectattr", "sort", "string", "striptags", "sum", "title", "trim", "truncate",
            "unique", "upper", "urlencode", "wordcount", "wordwrap")
#: methods a template may call on strings, on ``attributes`` and on ``loop``
_METHODS = frozenset({
    "capitalize", "casefold", "count", "endswith", "find", "isalnum", "isalpha", "isdigit",
    "islower", "isspace", "istitle", "isupper", "lower", "lstrip", "replace", "rsplit",
    "rstrip", "split", "startswith", "strip", "swapcase", "title", "upper",
    "get", "items", "keys", "values", "cycle", "changed"})
_STATEMENTS = (nodes.Template, nodes.Output, nodes.TemplateData, nodes.If, nodes.For,
               nodes.Assign)
_EXPRESSIONS = (nodes.Name, nodes.Const, nodes.Tuple, nodes.List, nodes.Dict, nodes.Pair,
                nodes.Keyword, nodes.CondExpr, nodes.Filter, nodes.Test, nodes.Call,
                nodes.Getitem, nodes.Getattr, nodes.Slice, nodes.Concat, nodes.Compare,
                nodes.Operand, nodes.BinExpr, nodes.UnaryExpr)
_REFUSED_NAMES = frozenset({"self", "caller", "varargs", "kwargs", "super"})
_PRINTF_WIDTH = re.compile(r"%[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")
_LOOP, _CONCAT = "nl-loop", "nl-concat"  # internal filters: not writable as a filter name


# --- the budget -------------------------------------------------------------------------
_CLOCK_EVERY = 32  # steps between readings of the CPU clock (a reading costs ~0.6 us)


def _weight(*values) -> int:
    """Steps for an operation on ``values``: one, plus one per KB of them."""
    return 1 + sum(_size(value) for value in values) // 1024


class Budget:
    __slots__ = ("limits", "deadline", "iterations", "output", "ticks", "next_clock",
                 "stream")

    def __init__(self, limits: Limits):
        self.limits = limits
        self.deadline = 0.0  # set at the first clock reading: CPU time counts from there
        self.iterations = limits.iterations
        self.output = limits.output
        self.ticks, self.next_clock = 0, _CLOCK_EVERY
        self.stream = True  # count output as it is written (a template with loops)

    def tick(self, weight: int = 1) -> None:
        """Work done: a step, or more for an operation on a large value (one per KB). The
        clock is read every 32 steps; the first reading starts it, so a message that
        takes fewer steps (most do) never reads it."""
        self.ticks += weight
        if self.ticks < self.next_clock:
            return
        self.next_clock = self.ticks + _CLOCK_EVERY
        now = time.thread_time()
        if not self.deadline:
            self.deadline = now + self.limits.cpu_seconds
        elif now > self.deadline:
            raise BudgetExceeded(gettext("Merge tags took more than %(seconds)s s of CPU time.",
                                         seconds=f"{self.limits.cpu_seconds:g}"))

    def loop(self) -> None:
        self.iterations -= 1
        if self.iterations < 0:
            raise BudgetExceeded(gettext("Merge tags ran more than %(num)s loop iterations.",
                                         num=_count(self.limits.iterations)))
        self.tick()

    def value(self, size: int) -> None:
        if size > self.limits.value:
            raise BudgetExceeded(gettext("A merge tag made a value longer than %(num)s "
                                         "characters.", num=_count(self.limits.value)))


_current: contextvars.ContextVar[Budget | None] = contextvars.ContextVar("merge_budget",
                                                                         default=None)


class spending:  # noqa: N801 - used as a function: ``with spending(): ...``
    """Renders inside share one budget; nested, the outer budget is used."""

    __slots__ = ("limits", "token")

    def __init__(self, limits: Limits = MESSAGE):
        self.limits, self.token = limits, None

    def __enter__(self) -> Budget:
        budget = _current.get()
        if budget is None:
            budget = Budget(self.limits)
            self.token = _current.set(budget)
        return budget

    def __exit__(self, *exc) -> None:
        if self.token is not None:
            _current.reset(self.token)
            self.token = None


def _budget() -> Budget:
    budget = _current.get()
    if budget is None:  # fail closed: nothing renders without a budget
        raise BudgetExceeded(gettext("A template was rendered outside a budget."))
    return budget


def render(template, data: dict) -> str:
    """``template`` (from ``compile``) filled with ``data``, within the current budget (a
    fresh one when none is open)."""
    budget = _current.get()
    if budget is None:
        with spending():
            return render(template, data)
    budget.stream = getattr(template, "loops", True)
    return template.render(data)


# --- what the sandbox lets a template do ------------------------------------------------
def _size(value) -> int:
    return len(value) if isinstance(value, str | list | tuple | dict) else 0


def _counted(value, budget: Budget) -> list:
    """An iterator materialized, each item counted as a loop iteration."""
    items = []
    for item in value:
        budget.loop()
        items.append(item)
    return items


def _check_printf(template) -> None:
    if isinstance(template, str):
        for width, precision in _PRINTF_WIDTH.findall(template):
            for number in (width, precision):
                if number == "*" or (number and int(number) > 1000):
                    raise BudgetExceeded(gettext("A format width or precision above %(num)d "
                                                 "is not allowed in merge tags.", num=1000))


def _replace_size(s, old, new, count=None) -> int:
    s, old, new = str(s), str(old), str(new)
    n = s.count(old) if old else len(s) + 1
    if count is not None and count >= 0:
        n = min(n, count)
    return len(s) + n * (len(new) - len(old))


def _filter(name: str):
    """A filter of the allow-list, budgeted: iterators it is given are counted as they are
    materialized, values that could grow too large are measured first, its result after."""
    func = FILTERS[name]
    first = 1 if getattr(func, "jinja_pass_arg", None) is not None else 0  # eval_ctx/env
    precheck = _PRECHECKS.get(name)

    @functools.wraps(func)
    def budgeted(*args, **kwargs):
        budget = _current.get() or _budget()
        value = args[first] if len(args) > first else None
        if hasattr(value, "__next__"):
            value = _counted(value, budget)
            args = (*args[:first], value, *args[first + 1:])
        if precheck is not None:
            precheck(budget, *args[first:])
        result = func(*args, **kwargs)
        budget.value(_size(result))
        budget.tick(_weight(value, result))
        return result

    return budgeted


def _join_size(budget: Budget, items=(), separator="", *_) -> None:
    if isinstance(items, list | tuple):
        size = sum(len(str(x)) for x in islice(items, budget.limits.value + 1))
        budget.value(size + len(str(separator)) * len(items))


_PRECHECKS = {
    "format": lambda budget, template="", *_, **__: _check_printf(template),
    "replace": lambda budget, *args: budget.value(_replace_size(*args[:4])),
    "join": _join_size,
}


def _escape(value) -> str:
    """``escape``/``e`` keep their meaning (HTML output is escaped once, by autoescape)
    without making Markup."""
    return "" if value is None else str(value)


def budget_range(*args) -> range:
    numbers = range(*args)
    limit = _budget().limits.iterations
    if len(numbers) > limit:
        raise BudgetExceeded(gettext("%(call)s of %(count)s numbers: merge tags may loop at "
                                     "most %(limit)s times.", call="range()",
                                     count=_count(len(numbers)), limit=_count(limit)))
    return numbers


def _loop_filter(iterable):
    """Wrapped around every ``{% for %}``: counts the iterations."""
    budget = _budget()
    for item in iterable:
        budget.loop()
        yield item


@pass_eval_context
def _concat_filter(eval_ctx, values):
    """The ``~`` operator, with its result's size checked before it is built."""
    budget = _budget()
    size = sum(len(v) if isinstance(v, str) else 16 for v in values)
    budget.value(size)
    budget.tick(1 + size // 1024)
    return markup_join(values) if eval_ctx.autoescape else str_join(values)


class MergeEnvironment(ImmutableSandboxedEnvironment):
    """Autoescape is fixed per environment (HTML or text); see the module docstring."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, html: bool, keep_trailing_newline: bool = False):
        super().__init__(autoescape=html, keep_trailing_newline=keep_trailing_newline)
        self.filters = {name: _filter(name) for name in _FILTERS}
        self.filters.update({"e": _escape, "escape": _escape, _LOOP: _loop_filter,
                             _CONCAT: _concat_filter})
        self.globals = {"range": budget_range}

    def concat(self, chunks) -> str:
        """The output, counted against the budget: as it is written when the template has
        loops, else at the end (without loops its size is bounded by the source and the
        value limit)."""
        budget = _budget()
        left = budget.output
        if not budget.stream:
            out = "".join(chunks)
            left -= len(out)
        else:
            parts = []
            for chunk in chunks:
                left -= len(chunk)
                if left < 0:
                    break
                parts.append(chunk)
            out = "".join(parts)
        if left < 0:
            raise BudgetExceeded(gettext("Merge tags wrote more than %(num)s characters.",
                                         num=_count(budget.limits.output)))
        budget.output = left
        return out

    def is_safe_attribute(self, obj, attr, value) -> bool:
        if not super().is_safe_attribute(obj, attr, value):
            return False
        return not callable(value) or attr in _METHODS

    def wrap_str_format(self, value):
        """``str.format`` is not offered (widths would bypass the budget): use |format."""
        return None

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - jinja's signature
        budget = _budget()
        owner = getattr(__obj, "__self__", None)
        if getattr(__obj, "__name__", "") == "replace" and isinstance(owner, str):
            budget.value(_replace_size(owner, *args[:3]))
        result = super().call(__context, __obj, *args, **kwargs)
        budget.value(_size(result))
        budget.tick(_weight(owner if isinstance(owner, str) else None, result))
        return result

    def call_binop(self, context, operator, left, right):
        budget = _budget()
        _check_binop(budget, operator, left, right)
        result = self.binop_table[operator](left, right)
        budget.value(_size(result))
        budget.tick(_weight(result))
        return result

    def _parse(self, source, name, filename):
        limits = MESSAGE
        if len(source) > limits.source:
            raise RenderError(gettext("A template can be at most %(num)s characters long.",
                                      num=_count(limits.source)))
        if "{%" in source and any(token == "raw_begin" for _, token, _ in self.lex(source)):
            raise RenderError(gettext("%(tag)s is not allowed in merge tags.", tag="{% raw %}"))
        tree = super()._parse(source, name, filename)
        _check_tree(tree, limits)
        _instrument(tree)
        tree.set_environment(self)
        return tree


def _check_binop(budget: Budget, operator: str, left, right) -> None:
    if operator == "*":
        for seq, n in ((left, right), (right, left)):
            if isinstance(seq, str | list | tuple) and isinstance(n, int):
                budget.value(len(seq) * max(n, 0))
        if isinstance(left, int) and isinstance(right, int) \
                and left.bit_length() + right.bit_length() > 4096:
            raise BudgetExceeded(gettext("A number in merge tags grew too large."))
    elif operator == "**":
        if isinstance(left, int) and isinstance(right, int) \
                and abs(left) > 1 and left.bit_length() * right > 4096:
            raise BudgetExceeded(gettext("A number in merge tags grew too large."))
    elif operator == "+":
        budget.value(_size(left) + _size(right))
    elif operator == "%" and isinstance(left, str):
        _check_printf(left)


def _check_tree(tree: nodes.Template, limits: Limits) -> None:
    """Refuse what the sandbox does not offer, and nesting beyond the limits."""
    stack = [(tree, 0, 0)]
    while stack:
        node, depth, loops = stack.pop()
        if depth > limits.depth:
            raise RenderError(gettext("Merge tags are nested too deeply."))
        if not isinstance(node, _STATEMENTS + _EXPRESSIONS):
            raise RenderError(gettext(
                "%(construct)s is not allowed in merge tags; use %(output)s, %(if_tag)s, "
                "%(for_tag)s and %(set_tag)s.", construct=_describe(node), output="{{ ... }}",
                if_tag="{% if %}", for_tag="{% for %}", set_tag="{% set %}"))
        if isinstance(node, nodes.For):
            if node.recursive:
                raise RenderError(gettext("Recursive loops are not allowed in merge tags."))
            loops += 1
            if loops > limits.loop_depth:
                raise RenderError(ngettext("Merge tags may nest loops at most %(num)d deep.",
                                           "Merge tags may nest loops at most %(num)d deep.",
                                           limits.loop_depth))
        if isinstance(node, nodes.Name) and node.name in _REFUSED_NAMES:
            raise RenderError(gettext("%(name)s is not available in merge tags.",
                                      name=node.name))
        stack.extend((child, depth + 1, loops) for child in node.iter_child_nodes())


def _describe(node: nodes.Node) -> str:
    names = {"Scope": "{% autoescape %}", "ScopedEvalContextModifier": "{% autoescape %}",
             "Macro": "{% macro %}",
             "CallBlock": "{% call %}", "FilterBlock": "{% filter %}",
             "AssignBlock": "{% set %}...{% endset %}",
             "NSRef": gettext("Assigning to an attribute"),
             "Include": "{% include %}", "Import": "{% import %}",
             "FromImport": "{% from ... import %}", "Extends": "{% extends %}",
             "Block": "{% block %}", "With": "{% with %}"}
    return names.get(type(node).__name__, type(node).__name__)


def _instrument(node: nodes.Node) -> nodes.Node:
    """Every loop counts its iterations; every ``~`` checks its size before it joins.
    (Depth is bounded by ``_check_tree``, which runs first.)"""
    for field in node.fields:
        value = getattr(node, field, None)
        if isinstance(value, nodes.Node):
            setattr(node, field, _instrument(value))
        elif isinstance(value, list):
            setattr(node, field, [_instrument(v) if isinstance(v, nodes.Node) else v
                                  for v in value])
    if isinstance(node, nodes.For):
        node.iter = nodes.Filter(node.iter, _LOOP, [], [], None, None, lineno=node.lineno)
    if isinstance(node, nodes.Concat):
        return nodes.Filter(nodes.List(node.nodes, lineno=node.lineno), _CONCAT, [], [], None,
                            None, lineno=node.lineno)
    return node


@functools.lru_cache(maxsize=4)
def environment(html: bool, keep_trailing_newline: bool = False) -> MergeEnvironment:
    return MergeEnvironment(html, keep_trailing_newline)


def compile_template(source: str, html: bool, keep_trailing_newline: bool = False):
    """The compiled template, or RenderError naming the problem."""
    env = environment(html, keep_trailing_newline)
    try:
        tree = env.parse(source)
        template = env.from_string(tree)
    except RenderError:
        raise
    except Exception as exc:  # syntax errors, unknown filters, parser recursion
        line = getattr(exc, "lineno", None)
        message = getattr(exc, "message", None) or str(exc)
        raise RenderError(merge_tag_error(message, line)) from exc
    template.loops = any(True for _ in tree.find_all(nodes.For))
    return template
