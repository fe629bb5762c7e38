"""Which dev command runs, with what environment, and what is said when it cannot run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from console.devserver.command import (
    dev_url,
    host_port,
    missing_packages,
    resolve_dev_command,
)
from console.errors import DevServerError
from console.model import Target, TargetKind
from console.settings import DevSettings, Settings
from tests.devserver.conftest import make_project, make_settings


def test_the_configured_command_runs_through_the_shell_with_the_port_of_the_url(
    tmp_path: Path,
) -> None:
    settings = make_settings("http://localhost:4321", "cd web && npm run dev")
    cmd = resolve_dev_command(make_project(tmp_path, dev_script="next dev"), settings)
    assert cmd.argv == ("/bin/sh", "-c", "cd web && npm run dev")
    assert cmd.display == "cd web && npm run dev"
    assert (cmd.host, cmd.port) == ("localhost", 4321)
    assert cmd.env["PORT"] == "4321"
    assert cmd.env["NEXT_TELEMETRY_DISABLED"] == "1"
    assert cmd.env["NO_COLOR"] == "1"


@pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed")
def test_without_a_command_the_dev_script_runs_with_the_package_manager(tmp_path: Path) -> None:
    cmd = resolve_dev_command(
        make_project(tmp_path, dev_script="next dev"), make_settings("http://localhost:3000")
    )
    assert cmd.argv == ("npm", "run", "dev")
    assert cmd.env["PORT"] == "3000"


def test_a_package_manager_that_is_not_installed_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    project = make_project(tmp_path, dev_script="next dev", manager="pnpm")
    with pytest.raises(DevServerError, match=r"`pnpm` .* is not on PATH"):
        resolve_dev_command(project, make_settings("http://localhost:3000"))


def test_no_dev_script_and_no_command_is_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(
        DevServerError, match=r"has no `dev` script and console.toml has no \[dev\] command"
    ):
        resolve_dev_command(make_project(tmp_path), make_settings("http://localhost:3000"))


def test_the_url_is_dev_url_else_the_local_target() -> None:
    local = Target("local", TargetKind.LOCAL, "http://localhost:3999")
    assert dev_url(Settings(targets=(local,))) == "http://localhost:3999"
    assert dev_url(Settings(targets=(local,), dev=DevSettings(url="http://127.0.0.1:5000"))) == (
        "http://127.0.0.1:5000"
    )


def test_ports_default_by_scheme_and_bind_all_hosts_go_through_loopback() -> None:
    assert host_port("http://example.test") == ("example.test", 80)
    assert host_port("https://example.test/x") == ("example.test", 443)
    assert host_port("http://0.0.0.0:3000") == ("localhost", 3000)


@pytest.mark.parametrize(
    ("manager", "install"),
    [
        ("npm", "npm install"),
        ("pnpm", "pnpm install"),
        ("yarn", "yarn install"),
        ("bun", "bun install"),
    ],
)
def test_missing_node_modules_names_the_install_command(
    tmp_path: Path, manager: str, install: str
) -> None:
    (tmp_path / "package.json").write_text("{}")
    message = missing_packages(make_project(tmp_path, manager=manager))
    assert message is not None
    assert f"run `{install}` there first" in message
    (tmp_path / "node_modules").mkdir()
    assert missing_packages(make_project(tmp_path, manager=manager)) is None


def test_a_folder_without_package_json_needs_no_node_modules(tmp_path: Path) -> None:
    assert missing_packages(make_project(tmp_path)) is None
