"""requirements.lock (what `make install` installs, with hashes) pins every dependency that
pyproject.toml asks for, at a version pyproject allows: a dependency added without
`make lock` fails here, not on a fresh machine."""

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent


def _pins() -> dict[str, str]:
    text = (ROOT / "requirements.lock").read_text()
    return {canonicalize_name(name): version for name, version in
            re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", text, re.M)}


def _declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = project["dependencies"] + project["optional-dependencies"]["dev"]
    return [Requirement(spec) for spec in specs]


def test_every_dependency_is_pinned_at_an_allowed_version():
    pins = _pins()
    problems = []
    for req in _declared():
        version = pins.get(canonicalize_name(req.name))
        if version is None:
            problems.append(f"{req.name} is not in requirements.lock")
        elif not req.specifier.contains(version, prereleases=True):
            problems.append(f"{req.name}=={version} does not satisfy {req.specifier}")
    assert problems == [], "run `make lock`: " + "; ".join(problems)


def test_every_pin_carries_hashes():
    blocks = re.split(r"\n(?=[A-Za-z0-9])", (ROOT / "requirements.lock").read_text())
    unhashed = [b.split()[0] for b in blocks if "==" in b.split("\n")[0] and "--hash=" not in b]
    assert unhashed == []


def test_declared_once():
    names = [canonicalize_name(r.name) for r in _declared()]
    assert len(names) == len(set(names)), "a dependency is listed twice in pyproject.toml"
