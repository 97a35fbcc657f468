"""`make vendor`: fetch the pinned npm packages of static/vendor/packages.json with the npm
client (`npm pack`), check each tarball against its recorded integrity, and copy the files
the pages use into static/vendor/<name>/.

static/vendor/packages.json is edited by hand: per package the exact version, the files to
keep (paths inside the package) and, once fetched, the registry's integrity (sha512). A
package whose version is unchanged must come back with the same integrity, else the run
fails and nothing is written. The run rewrites the integrity, the licence (from the
package's package.json), every kept file's sha256, and static/vendor/VENDOR.md. The
vendored files are committed: the pages, the tests and CI need no network.

    python tools/vendor.py            # refresh every package
    python tools/vendor.py --check    # only compare the files on disk with packages.json
"""

import argparse
import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "static" / "vendor"
MANIFEST = VENDOR / "packages.json"
README = VENDOR / "VENDOR.md"


class VendorError(Exception):
    """A package could not be fetched or does not match what was recorded."""


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sri_sha512(path: Path) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def npm_pack(name: str, version: str, into: Path) -> Path:
    """The package's tarball from the registry, by the npm client."""
    npm = shutil.which("npm")
    if npm is None:
        raise VendorError("npm is not installed (apt-get install npm)")
    done = subprocess.run(  # noqa: S603 - fixed argv, the spec comes from packages.json
        [npm, "pack", f"{name}@{version}", "--json", "--pack-destination", str(into)],
        cwd=into, capture_output=True, text=True, timeout=300, check=False)
    if done.returncode != 0:
        raise VendorError(f"npm pack {name}@{version} failed: {done.stderr.strip()[-500:]}")
    [info] = json.loads(done.stdout)
    return into / info["filename"]


def unpack(tarball: Path, into: Path) -> Path:
    with tarfile.open(tarball) as archive:
        archive.extractall(into, filter="data")
    return into / "package"


def licence_of(package: Path) -> str:
    meta = json.loads((package / "package.json").read_text())
    licence = meta.get("license") or meta.get("licenses") or "unknown"
    return licence if isinstance(licence, str) else json.dumps(licence)


def fetch(name: str, spec: dict, work: Path, vendor: Path = VENDOR) -> dict:
    """Fetch one package, check it, copy its files; returns the updated manifest entry."""
    tarball = npm_pack(name, spec["version"], work)
    integrity = sri_sha512(tarball)
    if spec.get("fetched_version") == spec["version"] and spec.get("integrity") not in (
            None, integrity):
        raise VendorError(f"{name}@{spec['version']}: integrity {integrity} differs from "
                          f"the recorded {spec['integrity']}")
    package = unpack(tarball, work / name)
    target = vendor / spec.get("directory", name)  # e.g. htmx.org in static/vendor/htmx
    shutil.rmtree(target, ignore_errors=True)
    files = {}
    for relative in spec["files"]:
        source = package / relative
        if not source.is_file():
            raise VendorError(f"{name}@{spec['version']} has no file {relative}")
        destination = target / Path(relative).name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, destination)
        files[relative] = sha256(destination)
    return {**spec, "fetched_version": spec["version"], "integrity": integrity,
            "license": licence_of(package), "sha256": files}


def readme(manifest: dict) -> str:
    lines = ["# Vendored front-end packages", "",
             "Written by `make vendor` (tools/vendor.py) from `packages.json`; do not edit by",
             "hand. Each package comes from the npm registry (`npm pack`), is checked against",
             "the integrity below, and only the listed files are kept in `static/vendor/<name>/`.",
             "", "| package | version | licence | integrity | files |", "|---|---|---|---|---|"]
    for name, spec in sorted(manifest.items()):
        files = ", ".join(f"`{Path(f).name}`" for f in spec["files"])
        lines.append(f"| {name} | {spec['version']} | {spec.get('license', '?')} | "
                     f"`{spec.get('integrity', '?')}` | {files} |")
    return "\n".join(lines) + "\n"


def check(manifest: dict, vendor: Path = VENDOR) -> list[str]:
    """What on disk differs from the manifest (an empty list: all is in place)."""
    problems = []
    for name, spec in sorted(manifest.items()):
        if spec.get("fetched_version") != spec["version"]:
            problems.append(f"{name}: {spec['version']} is pinned but not fetched")
            continue
        for relative, digest in spec.get("sha256", {}).items():
            path = vendor / spec.get("directory", name) / Path(relative).name
            if not path.is_file():
                problems.append(f"{name}: {name}/{path.name} is missing")
            elif sha256(path) != digest:
                problems.append(f"{name}: {name}/{path.name} differs from its sha256")
        if set(spec.get("sha256", {})) != set(spec["files"]):
            problems.append(f"{name}: the file list changed since the last fetch")
    notes = vendor / README.name
    if not notes.is_file() or notes.read_text() != readme(manifest):
        problems.append("VENDOR.md is not what packages.json says")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare only, fetch nothing")
    args = parser.parse_args(argv)
    manifest = json.loads(MANIFEST.read_text())
    if args.check:
        problems = check(manifest)
        print("\n".join(problems) or "static/vendor matches packages.json")
        return 1 if problems else 0
    try:
        with tempfile.TemporaryDirectory() as work:
            updated = {name: fetch(name, spec, Path(work)) for name, spec in manifest.items()}
    except VendorError as error:
        print(f"make vendor: {error}", file=sys.stderr)
        return 1
    MANIFEST.write_text(json.dumps(updated, indent=2, sort_keys=True) + "\n")
    README.write_text(readme(updated))
    for name, spec in sorted(updated.items()):
        print(f"{name} {spec['version']} ({spec['license']}) {spec['integrity']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
