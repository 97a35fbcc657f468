"""axe-core (vendored by `make vendor` into static/vendor/axe-core) run on a page in
Chromium: WCAG 2.1 A and AA rules; a serious or critical violation fails the test."""

from pathlib import Path

AXE = Path(__file__).resolve().parents[2] / "static" / "vendor" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}


def violations(page) -> list[dict]:
    """Every WCAG 2.1 AA violation axe finds on the page as it is now (the page's own
    Content-Security-Policy must allow the injected script: use a context with
    ``bypass_csp=True`` for pages that forbid inline scripts)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE.read_text())
    return page.evaluate(
        """tags => axe.run(document, {runOnly: {type: 'tag', values: tags},
                                      resultTypes: ['violations']})
             .then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                   nodes: v.nodes.map(n => n.target.join(' ') + ' :: '
                                      + (n.failureSummary || '').replace(/\\s+/g, ' '))})))""",
        TAGS)


def describe(found: list[dict]) -> str:
    return "\n".join(f"- {v['impact']} {v['id']}: {v['help']}\n    " + "\n    ".join(v["nodes"][:5])
                     for v in found)


def assert_no_serious_violations(page, where: str = "") -> list[dict]:
    """Fails on any serious or critical violation; returns all violations (minor and
    moderate ones included) for a report."""
    found = violations(page)
    blocking = [v for v in found if v["impact"] in BLOCKING]
    assert not blocking, f"axe: serious or critical violations on {where or page.url}:\n" \
        + describe(blocking)
    return found
