"""One safe redirect: every ``next`` or return address from a request passes
``platform.redirects.safe_next``; anything a browser could resolve to another host falls
back to the admin home, and never with a 500."""

import ast
from pathlib import Path

import pytest

from newsletter.platform.redirects import safe_next
from tests.conftest import PASSWORD

HOME = "/admin/"

#: each of these, given as ``next``, must not leave the site
HOSTILE = [
    "//evil.example/x",
    "///evil.example",
    "////evil.example",
    "https://evil.example/",
    "http://evil.example",
    "HTTPS://evil.example",
    "http:evil.example",
    "https:/evil.example",
    "http:/\\evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/\\/evil.example",
    "/.\\evil.example",
    " //evil.example",
    "\t//evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/\x00/evil.example",
    "\x0c//evil.example",
    "/ /evil.example",
    "/\u3000/evil.example",  # ideographic space
    "/\uff0f\uff0fevil.example",  # fullwidth solidus
    "/\u2215\u2215evil.example",  # division slash
    "%2F%2Fevil.example",
    "/%2F%2Fevil.example",
    "/%2f/evil.example",
    "/%252F%252Fevil.example",
    "/%25252F%25252Fevil.example",
    "/%5Cevil.example",
    "/%5c%5cevil.example",
    "/%09/evil.example",
    "/%0d%0aSet-Cookie:%20x=1",
    "/%00",
    "evil.example",
    "@evil.example",
    "//127.0.0.1@evil.example",
    "https://localhost@evil.example/",
    "//localhost.evil.example/",
    "//[::1",
    "http://[::1]/",
    "/" + "a" * 5000,
]

LOCAL = ["/admin/lists", "/admin/contacts?q=a%20b&status=active", "/admin/campaigns/1#stats"]


@pytest.mark.parametrize("target", HOSTILE)
def test_safe_next_refuses_anything_that_could_leave_the_site(target):
    assert safe_next(target, HOME) == HOME


@pytest.mark.parametrize("target", LOCAL)
def test_safe_next_keeps_paths_on_this_site(target):
    assert safe_next(target, HOME) == target


def test_own_absolute_urls_become_paths_and_others_fall_back():
    origin = "http://news.example/"
    assert safe_next("http://news.example/admin/x?a=1", HOME, origin=origin) == "/admin/x?a=1"
    for other in ("http://news.example.evil/admin/", "https://news.example/admin/",
                  "http://news.example//evil.example/", "http://news.example/\\evil",
                  "http://news.example@evil.example/", None, ""):
        assert safe_next(other, HOME, origin=origin) == HOME


@pytest.fixture
def owner(app, make_user):
    app.config["RATE_LOGIN_IP"] = "1000/60"
    return make_user("owner@example.com", "owner")


@pytest.mark.parametrize("target", HOSTILE)
def test_hostile_next_through_the_real_login(client, owner, target):
    page = client.get("/admin/login", query_string={"next": target})
    assert page.status_code == 200
    response = client.post("/admin/login", query_string={"next": target},
                           data={"email": owner.email, "password": PASSWORD})
    assert response.status_code == 302, response.text
    assert response.headers["Location"] == HOME


def test_a_local_next_is_followed_after_login(client, owner):
    response = client.post("/admin/login", query_string={"next": "/admin/lists?x=1"},
                           data={"email": owner.email, "password": PASSWORD})
    assert response.headers["Location"] == "/admin/lists?x=1"


@pytest.mark.parametrize("referer", ["https://evil.example/admin/contacts",
                                     "http://localhost//evil.example/",
                                     "http://localhost/\\evil.example", "javascript:x"])
def test_return_to_the_referer_stays_on_the_site(client, owner, referer):
    client.post("/admin/login", data={"email": owner.email, "password": PASSWORD})
    response = client.post("/admin/contacts/bulk", data={}, headers={"Referer": referer})
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/contacts"


# --- every redirect target from a request goes through safe_next ------------------------
BLUEPRINTS = [p for part in ("admin", "public", "api")
              for p in sorted((Path(__file__).parents[2] / "newsletter" / part).glob("*.py"))]
#: request values that are return addresses
RETURN_ARGS = {"next", "return", "return_to", "back", "url", "redirect", "target"}


def _user_supplied_return(node: ast.AST) -> bool:
    """``request.referrer`` or ``request.<args|form|values>.get("next"...)``/``[...]``."""
    if isinstance(node, ast.Attribute) and node.attr == "referrer" \
            and isinstance(node.value, ast.Name) and node.value.id == "request":
        return True
    container = None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
            and node.func.attr == "get" and node.args:
        container, key = node.func.value, node.args[0]
    elif isinstance(node, ast.Subscript):
        container, key = node.value, node.slice
    return isinstance(container, ast.Attribute) and container.attr in ("args", "form", "values") \
        and isinstance(container.value, ast.Name) and container.value.id == "request" \
        and isinstance(key, ast.Constant) and key.value in RETURN_ARGS


def _raw_returns(expr: ast.AST) -> list[ast.AST]:
    """User-supplied return addresses inside ``expr`` that no safe_next call wraps."""
    if isinstance(expr, ast.Call) and getattr(expr.func, "id", None) == "safe_next":
        return []
    if _user_supplied_return(expr):
        return [expr]
    return [hit for child in ast.iter_child_nodes(expr) for hit in _raw_returns(child)]


def _unguarded(tree: ast.AST) -> list[int]:
    """Lines of ``redirect(...)`` calls whose target holds a raw return address, directly or
    through a local name assigned from one."""
    found = []
    for func in [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]:
        tainted = {target.id for node in ast.walk(func) if isinstance(node, ast.Assign)
                   and _raw_returns(node.value)
                   for target in node.targets if isinstance(target, ast.Name)}
        for node in ast.walk(func):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "redirect":
                names = {n.id for arg in node.args for n in ast.walk(arg)
                         if isinstance(n, ast.Name)}
                if any(_raw_returns(arg) for arg in node.args) or names & tainted:
                    found.append(node.lineno)
    return sorted(found)


@pytest.mark.parametrize("path", BLUEPRINTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_return_addresses_from_the_request_pass_safe_next(path):
    assert _unguarded(ast.parse(path.read_text())) == [], \
        f"{path}: a return address from the request reaches a redirect without safe_next"


def test_the_check_itself_finds_an_unguarded_return_address():
    bad = ast.parse("def v():\n    return redirect(request.args.get('next') or '/')\n"
                    "def w():\n    back = request.referrer\n    return redirect(back)\n"
                    "def x():\n    return redirect(request.form['next'])\n")
    good = ast.parse("def v():\n    return redirect(safe_next(request.args.get('next'), h))\n")
    assert _unguarded(bad) == [2, 5, 7] and _unguarded(good) == []
