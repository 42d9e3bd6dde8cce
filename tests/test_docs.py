"""The documentation is checked against the code: a setting read from the environment or a command
that nobody documented fails here, and so does a link to a page that does not exist."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import click
import pytest

from solidarity.cli import main

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "src" / "solidarity" / "config"
DOCS = REPO / "docs"


def environment_variables_read(source: str) -> set[str]:
    """Names of the environment variables that Python source reads: ``os.environ.get("X")``,
    ``os.getenv("X")``, ``os.environ["X"]`` and the ``env_*("X", …)`` helpers of config/env.py."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        argument: ast.expr | None = None
        if isinstance(node, ast.Call) and node.args:
            function = ast.unparse(node.func)
            if function in {"os.environ.get", "os.getenv", "environ.get", "getenv"} or (
                isinstance(node.func, ast.Name) and node.func.id.startswith("env_")
            ):
                argument = node.args[0]
        elif isinstance(node, ast.Subscript) and ast.unparse(node.value) in {
            "os.environ",
            "environ",
        }:
            argument = node.slice
        if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
            names.add(argument.value)
    return names


def test_the_parser_finds_each_way_of_reading_the_environment() -> None:
    source = (
        'import os\nos.environ.get("A", "1")\nos.getenv("B")\nos.environ["C"]\n'
        'env_bool("D", default=False)\nenv_list("E", default=[])\nos.environ.get(name)\n'
    )
    assert environment_variables_read(source) == {"A", "B", "C", "D", "E"}


SETTINGS_READ = sorted(
    set().union(
        *(
            environment_variables_read(path.read_text(encoding="utf-8"))
            for path in CONFIG.glob("*.py")
        )
    )
)


def test_the_settings_read_what_we_expect() -> None:
    # A guard on the parser: if these vanish, the test below would pass for the wrong reason.
    assert {"SOLIDARITY_HOME", "SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS"} <= set(SETTINGS_READ)


@pytest.mark.parametrize("name", SETTINGS_READ)
def test_every_setting_is_documented(name: str) -> None:
    configure = (DOCS / "configure.md").read_text(encoding="utf-8")
    assert f"`{name}`" in configure, f"{name} is read by the settings but not in docs/configure.md"


def command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    context = click.Context(group)
    paths = []
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        paths.append((*prefix, name))
        if isinstance(command, click.Group):
            paths.extend(command_paths(command, (*prefix, name)))
    return paths


@pytest.mark.parametrize("path", command_paths(main), ids=" ".join)
def test_every_command_is_documented(path: tuple[str, ...]) -> None:
    words = " ".join(("solidarity", *path))
    cli = (DOCS / "cli.md").read_text(encoding="utf-8")
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert words in cli or words in readme, f"`{words}` is in neither docs/cli.md nor README.md"


PAGES = sorted([REPO / "README.md", *DOCS.glob("*.md")])
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(REPO)))
def test_links_between_pages_resolve(page: Path) -> None:
    for target in LINK.findall(page.read_text(encoding="utf-8")):
        if re.match(r"^[a-z]+:", target):
            continue  # an address elsewhere (https:, mailto:)
        assert (page.parent / target).exists(), f"{page.name} links to missing {target}"


def test_every_page_is_in_the_index() -> None:
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    for page in DOCS.glob("*.md"):
        if page.name != "index.md":
            assert f"({page.name})" in index, f"docs/index.md does not link to {page.name}"
