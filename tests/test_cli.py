"""The ``solidarity`` command: every command explains itself with an example, and ``solidarity
serve`` on a fresh data folder gives a working platform (the README's first command)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from solidarity.cli import main

REPO = Path(__file__).resolve().parents[1]


def command_paths(
    group: click.Group = main, prefix: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """Every command and group under ``group``, as the words that call it."""
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None
        path = (*prefix, name)
        yield path, command
        if isinstance(command, click.Group):
            yield from command_paths(command, path)


ALL_COMMANDS = [((), main), *command_paths()]


def words(path: tuple[str, ...]) -> str:
    return " ".join(("solidarity", *path))


def test_the_command_is_installed() -> None:
    solidarity = Path(sys.executable).parent / "solidarity"
    result = subprocess.run(
        [str(solidarity), "--help"], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.startswith("Usage: solidarity [OPTIONS] COMMAND [ARGS]...")


@pytest.mark.parametrize(
    "path", [path for path, command in ALL_COMMANDS if isinstance(command, click.Group)], ids=words
)
def test_help_lists_every_subcommand(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    group = dict(ALL_COMMANDS)[path]
    assert isinstance(group, click.Group)
    listed = result.output.split("Commands:", 1)[1]
    for name in group.list_commands(click.Context(group)):
        assert f"\n  {name} " in listed or listed.rstrip().endswith(f"  {name}"), name


@pytest.mark.parametrize("path", [path for path, _ in ALL_COMMANDS], ids=words)
def test_every_command_has_an_example(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example" in result.output
    # The example shows the very command it documents.
    assert words(path) in result.output.split("Example", 1)[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (a local test server)
        return response.status, response.read()


def items(body: bytes) -> list[Any]:
    """The rows of a list endpoint, whether it answers with a bare list or a page of ``items``."""
    data = json.loads(body)
    if isinstance(data, dict):
        rows = data["items"]
        assert isinstance(rows, list)
        return rows
    assert isinstance(data, list)
    return data


@pytest.fixture
def served(solidarity_env: dict[str, str], tmp_path: Path) -> Iterator[str]:
    """``solidarity serve`` on a free port with a fresh data folder; yields its address."""
    port = free_port()
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "solidarity"), "serve", "--port", str(port)],
            env=solidarity_env,
            cwd=tmp_path,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            if server.poll() is not None:
                pytest.fail(f"solidarity serve stopped:\n{log_path.read_text()}")
            try:
                get(base + "/api/v1/openapi.json")
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline:
                    pytest.fail(f"solidarity serve did not answer:\n{log_path.read_text()}")
                time.sleep(0.5)
        yield base
    finally:
        # gunicorn's master stops its workers on SIGTERM; kill the session if it lingers.
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def test_serve_gives_a_working_platform_on_a_fresh_data_folder(
    served: str, solidarity_env: dict[str, str]
) -> None:
    status, _ = get(served + "/")
    assert status == 200

    status, body = get(served + "/api/v1/objectives")
    assert status == 200
    objectives = items(body)
    assert len(objectives) == 23

    status, body = get(served + "/api/v1/countries?un_member=true")
    assert status == 200
    assert len(items(body)) == 193

    status, body = get(served + "/api/v1/openapi.json")
    assert status == 200
    assert json.loads(body)["info"]["title"] == "Solidarity API"

    # The embedded default kept everything in the data folder it was given.
    home = Path(solidarity_env["SOLIDARITY_HOME"])
    assert (home / "solidarity.sqlite3").is_file()
    assert (home / "secret_key").is_file()
