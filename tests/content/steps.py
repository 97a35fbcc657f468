"""The work a runaway template did before the merge sandbox stopped it, counted in loop
steps rather than in seconds, so that a slow or busy machine cannot fail the test."""

import contextlib

from newsletter.content import sandbox


@contextlib.contextmanager
def loop_steps():
    """Yields a dict whose ``"steps"`` counts the loop iterations the budgets let run."""
    counted = {"steps": 0}
    original = sandbox.Budget.loop

    def loop(budget):
        counted["steps"] += 1
        original(budget)

    sandbox.Budget.loop = loop
    try:
        yield counted
    finally:
        sandbox.Budget.loop = original
