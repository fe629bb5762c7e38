"""Which deployed function serves each route (PLATFORM.md section 5), and the functions folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from console.cli import main
from console.model import Placement, Severity
from console.project import discover, lockfiles
from console.project.naming import split_api_routes

Make = Callable[[dict[str, str | bytes]], Path]
BG = "export const config = { type: 'experimental-background' }\n"
SC = "export const config = { type: 'experimental-scheduled', schedule: '@daily' }\n"
PLAIN = "export default function handler(req, res) { res.end('ok') }\n"
EDGE = "export const config = { runtime: 'edge' }\nexport default () => new Response('x')\n"
SPLIT = '[build.environment]\n  NEXT_SPLIT_API_ROUTES = "true"\n'
NEXT_13 = '{"dependencies": {"next": "13.4.19", "@netlify/plugin-nextjs": "4.41.3"}}'


def _served(root: Path) -> dict[str, tuple[str | None, str]]:
    return {r.route: (r.function, str(r.placement)) for r in discover(root).routes}


def test_plain_routes_share_the_handler_and_typed_routes_get_their_own(make_project: Make) -> None:
    root = make_project(
        {
            "package.json": NEXT_13,
            "pages/api/hello.ts": PLAIN,
            "pages/api/users/[id].ts": PLAIN,
            "pages/api/index.ts": PLAIN,
            "pages/api/mail-background.ts": BG,
            "pages/api/cron.ts": SC,
            "pages/api/og.ts": EDGE,
        }
    )
    assert _served(root) == {
        "/api": ("___netlify-handler", "shared"),
        "/api/hello": ("___netlify-handler", "shared"),
        "/api/users/[id]": ("___netlify-handler", "shared"),
        "/api/mail-background": ("_api_mail-background-background", "own"),
        "/api/cron": ("_api_cron-handler", "own"),
        "/api/og": (None, "edge"),
    }


def test_split_api_routes_leaves_the_names_to_the_build(
    make_project: Make, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project(
        {
            "package.json": NEXT_13,
            "netlify.toml": SPLIT,
            "pages/api/hello.ts": PLAIN,
            "pages/api/mail-background.ts": BG,
            "pages/api/cron.ts": SC,
            "pages/api/og.ts": EDGE,
        }
    )
    routes = {r.route: r for r in discover(root).routes}
    assert routes["/api/hello"].placement is Placement.BUILD
    assert routes["/api/hello"].function is None
    assert routes["/api/hello"].alone_name == "_api_hello-handler"
    assert routes["/api/mail-background"].placement is Placement.BUILD
    assert (routes["/api/cron"].function, routes["/api/cron"].placement) == (
        "_api_cron-handler",
        Placement.OWN,
    )  # scheduled routes are always alone
    assert main(["routes", str(root)]) == 0
    out = capsys.readouterr().out
    assert "(named at build)" in out and "(edge function)" in out
    assert "NEXT_SPLIT_API_ROUTES is on" in out and "___netlify-api-handler-N" in out


@pytest.mark.parametrize(
    ("value", "on"),
    [("true", True), ("TRUE", True), ("1", True), ("yes", True), ("false", False), ("0", False),
     ("", False), ("null", False), (None, False)],
)  # fmt: skip
def test_split_flag_is_read_as_destr_reads_it(value: str | None, on: bool) -> None:
    assert split_api_routes(value) is on


def test_split_is_off_before_next_12(make_project: Make) -> None:
    root = make_project(
        {
            "package.json": '{"dependencies": {"next": "11.1.4"}}',
            "netlify.toml": SPLIT,
            "pages/api/hello.ts": PLAIN,
        }
    )
    assert _served(root)["/api/hello"] == ("___netlify-handler", "shared")


def test_on_v5_every_route_is_the_server_handler(make_project: Make) -> None:
    root = make_project(
        {"package.json": '{"dependencies": {"next": "14.2.0"}}', "pages/api/hello.ts": PLAIN}
    )
    assert _served(root)["/api/hello"] == ("___netlify-server-handler", "shared")


def test_a_configured_functions_folder_that_is_missing(make_project: Make) -> None:
    root = make_project(
        {"netlify.toml": '[functions]\n  directory = "build/functions"\n', "pages/api/a.ts": BG}
    )
    (problem,) = discover(root).problems
    assert (problem.file, problem.line, problem.column) == ("netlify.toml", 2, 3)
    assert (problem.code, problem.severity) == ("functions-folder", Severity.WARNING)
    assert "build/functions, which is not in the source" in problem.message
    assert "cannot be seen before the build" in problem.message


def test_functions_in_a_folder_netlify_does_not_deploy(make_project: Make) -> None:
    root = make_project(
        {"src/netlify/functions/hello.ts": PLAIN, "src/netlify/functions/cron.ts": SC}
    )
    project = discover(root)
    assert project.routes == ()
    (problem,) = project.problems
    assert problem.file == "src/netlify/functions/cron.ts"
    assert problem.code == "functions-folder"
    assert "src/netlify/functions holds functions (cron.ts, hello.ts)" in problem.message
    assert "Netlify deploys netlify/functions" in problem.message


def test_unknown_function_settings_are_ignored_not_rejected(make_project: Make) -> None:
    toml = '[functions."nightly"]\n  schedule = "@daily"\n  timeout = 26\n  memory = 1024\n'
    root = make_project({"netlify.toml": toml, "netlify/functions/nightly.mjs": PLAIN})
    (problem,) = discover(root).problems
    assert (problem.line, problem.column, problem.code) == (3, 3, "config-ignored")
    assert 'functions."nightly".timeout is not a function setting' in problem.message
    assert "silently ignored" in problem.message


def test_the_lock_file_is_read_once_per_discovery(
    make_project: Make, monkeypatch: pytest.MonkeyPatch
) -> None:
    files: dict[str, str | bytes] = {
        "package.json": '{"dependencies": {"next": "^13.4.0", "@netlify/plugin-nextjs": "^4"}}',
        "package-lock.json": '{"lockfileVersion": 3, "packages": {'
        '"node_modules/next": {"version": "13.4.19"},'
        '"node_modules/@netlify/plugin-nextjs": {"version": "4.41.3"}}}',
    }
    files.update({f"pages/api/r{n}.ts": BG for n in range(30)})
    root = make_project(files)
    calls: list[Path] = []
    real = lockfiles._parse

    def counting(path: Path, *, use_cache: bool = True) -> object:
        calls.append(path)
        return real(path, use_cache=use_cache)

    monkeypatch.setattr(lockfiles, "_parse", counting)
    project = discover(root)
    assert len(project.routes) == 30
    assert calls == [root / "package-lock.json"]


def test_an_unknown_top_level_functions_key_fails_the_build(make_project: Make) -> None:
    toml = '[functions]\n  node_bundler = "esbuild"\n  timeout = 26\n'
    root = make_project({"netlify.toml": toml, "netlify/functions/a.mjs": PLAIN})
    (problem,) = discover(root).problems
    assert (problem.line, problem.column) == (3, 3)
    assert (problem.code, problem.severity) == ("invalid-config", Severity.ERROR)
    assert problem.message.startswith("Configuration property functions.timeout must be an object")


def test_function_settings_the_build_rejects(make_project: Make) -> None:
    toml = (
        '[functions."a"]\n  node_bundler = "webpack"\n  memory = true\n  vcpu = 4\n'
        '  included_files = "x"\n  region = "iad"\n'
    )
    root = make_project({"netlify.toml": toml, "netlify/functions/a.mjs": PLAIN})
    found = [(p.line, p.code, p.severity, p.message) for p in discover(root).problems]
    assert [(line, code, sev) for line, code, sev, _ in found] == [
        (2, "invalid-config", Severity.ERROR),
        (3, "invalid-config", Severity.ERROR),
        (4, "invalid-config", Severity.ERROR),
        (5, "invalid-config", Severity.ERROR),
    ]  # region = "iad" is fine
    assert found[0][3] == (
        'Configuration property functions."a".node_bundler must be one of: esbuild, nft, zisi, '
        "none: the build fails on it"
    )
