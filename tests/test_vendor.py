"""`make vendor` (tools/vendor.py): the committed front-end packages are what
static/vendor/packages.json pins, and a tarball that differs from its recorded integrity is
refused. The fetch tests use a local stand-in for `npm pack` (no network in the tests)."""

import importlib.util
import io
import json
import os
import shutil
import stat
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("vendor_tool", ROOT / "tools" / "vendor.py")
vendor = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(vendor)


def test_the_committed_files_are_what_packages_json_pins():
    manifest = json.loads(vendor.MANIFEST.read_text())
    assert "axe-core" in manifest
    assert vendor.check(manifest) == []
    for spec in manifest.values():
        assert spec["license"] and spec["license"] != "unknown"
        assert spec["integrity"].startswith("sha512-")


def test_a_changed_file_is_reported(tmp_path):
    manifest = json.loads(vendor.MANIFEST.read_text())
    copy = tmp_path / "vendor"
    shutil.copytree(vendor.VENDOR, copy)
    (copy / "VENDOR.md").write_text(vendor.readme(manifest))
    assert vendor.check(manifest, copy) == []
    with (copy / "axe-core" / "axe.min.js").open("a") as handle:
        handle.write("/* changed */")
    assert vendor.check(manifest, copy) == ["axe-core: axe-core/axe.min.js differs from its sha256"]


@pytest.fixture
def fake_npm(tmp_path, monkeypatch):
    """An `npm` on PATH whose `pack` hands out a tarball built here."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, text in {"package/package.json": '{"name": "tiny", "license": "MIT"}',
                           "package/dist/tiny.js": "window.tiny = 1;\n"}.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    tarball = tmp_path / "tiny-1.0.0.tgz"
    tarball.write_bytes(buffer.getvalue())
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "npm"
    script.write_text(
        f"#!{sys.executable}\nimport shutil, sys, json\n"
        f"shutil.copy({str(tarball)!r}, sys.argv[sys.argv.index('--pack-destination') + 1])\n"
        "print(json.dumps([{'filename': 'tiny-1.0.0.tgz'}]))\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return vendor.sri_sha512(tarball)


def test_fetch_keeps_the_listed_files_and_records_licence_and_integrity(tmp_path, fake_npm):
    work, target = tmp_path / "work", tmp_path / "vendor"
    work.mkdir()
    entry = vendor.fetch("tiny", {"version": "1.0.0", "files": ["dist/tiny.js"]}, work, target)
    assert (target / "tiny" / "tiny.js").read_text() == "window.tiny = 1;\n"
    assert entry["integrity"] == fake_npm
    assert entry["license"] == "MIT"
    assert entry["fetched_version"] == "1.0.0"


def test_the_same_version_with_another_integrity_is_refused(tmp_path, fake_npm):
    work, target = tmp_path / "work", tmp_path / "vendor"
    work.mkdir()
    spec = {"version": "1.0.0", "fetched_version": "1.0.0", "files": ["dist/tiny.js"],
            "integrity": "sha512-somethingelse"}
    with pytest.raises(vendor.VendorError, match="differs from the recorded"):
        vendor.fetch("tiny", spec, work, target)
    assert not (target / "tiny").exists()
