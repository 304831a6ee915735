"""The dependency audit (scripts/audit_dependencies.py) against a small index served on loopback."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location(
    "audit_dependencies", ROOT / "scripts" / "audit_dependencies.py"
)
audit = sys.modules["audit_dependencies"] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(audit)

VULNERABILITY = {"id": "PYSEC-2099-1", "aliases": ["CVE-2099-1"], "fixed_in": ["2.0"]}
# What the index knows: per version where it answers that, per project otherwise.
PAGES = {
    "/pypi/exactly-bad/1.0/json": {"vulnerabilities": [VULNERABILITY]},
    "/pypi/exactly-good/1.0/json": {"vulnerabilities": []},
    "/pypi/newest-bad/json": {
        "info": {"version": "3.0"}, "vulnerabilities": [{**VULNERABILITY, "fixed_in": []}],
        "releases": {"3.0": [{"yanked": False}]},
    },
    "/pypi/older-yanked/json": {
        "info": {"version": "2.0"}, "vulnerabilities": [],
        "releases": {"1.0": [{"yanked": True, "yanked_reason": "security"}]},
    },
    "/pypi/older-fine/json": {
        "info": {"version": "2.0"}, "vulnerabilities": [VULNERABILITY],
        "releases": {"1.0": [{"yanked": False}]},
    },
}  # fmt: skip


class _Index(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        page = PAGES.get(self.path)
        self.send_response(200 if page is not None else 404)
        self.end_headers()
        if page is not None:
            self.wfile.write(json.dumps(page).encode())

    def log_message(self, *args) -> None:
        pass


@contextlib.contextmanager
def index():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Index)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/pypi"
    finally:
        server.shutdown()
        server.server_close()


def _lock(tmp_path, *packages):
    body = "".join(
        f'[[package]]\nname = "{name}"\nversion = "{version}"\nsource = {{ registry = "x" }}\n\n'
        for name, version in packages
    )
    body += '[[package]]\nname = "lotse"\nversion = "0.1.0"\nsource = { editable = "." }\n'
    path = tmp_path / "uv.lock"
    path.write_text(body, encoding="utf-8")
    return path


def test_known_vulnerabilities_fail_and_name_the_fix(tmp_path, capsys):
    lock = _lock(tmp_path, ("exactly-bad", "1.0"), ("newest-bad", "3.0"), ("older-yanked", "1.0"))
    with index() as url:
        assert audit.main(lock, url) == 1
    out = capsys.readouterr().out
    assert "exactly-bad 1.0: PYSEC-2099-1 / CVE-2099-1 (fixed in 2.0; exact)" in out
    assert "newest-bad 3.0: PYSEC-2099-1" in out
    assert "older-yanked 1.0: yanked: security" in out
    assert "3 known vulnerabilities" in out


def test_a_clean_lock_passes_and_says_how_exactly_it_was_checked(tmp_path, capsys):
    lock = _lock(tmp_path, ("exactly-good", "1.0"), ("older-fine", "1.0"))
    with index() as url:
        assert audit.main(lock, url) == 0
    out = capsys.readouterr().out
    assert "2 locked packages, 1 checked exactly, 1 against their newest release's" in out
    assert "older-fine 1.0 (older than the newest release 2.0)" in out


def test_an_index_that_does_not_answer_fails_in_one_line(tmp_path, capsys):
    lock = _lock(tmp_path, ("not-there", "1.0"))
    with index() as url:
        assert audit.main(lock, url) == 2
    assert capsys.readouterr().err.count("\n") == 1
