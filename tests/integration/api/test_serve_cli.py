"""``casebook serve`` as a user starts it: a process listening on loopback until Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from casebook.model import Case


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_serve_answers_then_stops_on_interrupt(tmp_path: Path) -> None:
    port = _free_port()
    store = tmp_path / "cases.duckdb"
    casebook = str(Path(sys.executable).with_name("casebook"))
    command = [casebook, "serve", "--port", str(port)]
    command += ["--store", str(store), "--workers", "1"]
    env = {name: value for name, value in os.environ.items() if name != "CASEBOOK_API_TOKEN"}
    server = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    )
    secret, queried = "Qwertzuiop", "Asdfghjkl"
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 240
        while True:
            assert server.poll() is None, server.communicate()[0]
            try:
                if httpx.get(f"{url}/v1/health").status_code == 200:
                    break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.5)
        text = f"A 61-year-old woman called {secret} had a cough."
        added = httpx.post(f"{url}/v1/cases", json={"text": text}, timeout=120)
        assert added.status_code == 201, added.text
        (case_id,) = added.json()["added"]
        stored = Case.model_validate_json(httpx.get(f"{url}/v1/cases/{case_id}").text)
        assert stored.patient.age_years == 61
        found = httpx.get(f"{url}/v1/search", params={"q": f"cough in {queried}"}, timeout=120)
        assert found.status_code == 200, found.text
    finally:
        server.send_signal(signal.SIGINT)
        output, _ = server.communicate(timeout=60)
    assert server.returncode == 0, output
    assert f"http://127.0.0.1:{port}/" in output
    assert "analysis ready in 1 worker process(es)" in output
    assert "POST /v1/cases" in output
    assert secret not in output
    # The query string is case text too: the access line keeps the path only.
    assert queried not in output and "GET /v1/search?… HTTP/1.1" in output
    assert store.is_file()
