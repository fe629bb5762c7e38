"""Which runtime a real site gets: npm, pnpm and yarn workspaces, unpinned sites, guesses.

Each project here is small and written for the test; each repository has a `.git` folder so
the upward search for lock files stops where a real checkout would.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from console.cli import main
from console.model import Severity
from console.project import discover
from tests.project.conftest import write_files

SC = "export const config = { type: 'experimental-scheduled', schedule: '@daily' }\n"
BG = "export const config = { type: 'experimental-background' }\n"
PLAIN = "export default function handler(req, res) { res.end('ok') }\n"
PLUGINS = '[[plugins]]\n  package = "@netlify/plugin-nextjs"\n'


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _package(deps: dict[str, str], **extra: object) -> str:
    return json.dumps({"name": "web", "dependencies": deps, **extra}, indent=2) + "\n"


def _repo(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    (tmp_path / ".git").mkdir()
    return write_files(tmp_path, files)


def _npm_workspace(tmp_path: Path) -> Path:
    lock = {
        "name": "mono",
        "lockfileVersion": 3,
        "packages": {
            "": {"name": "mono", "workspaces": ["apps/*", "packages/*"]},
            "apps/web": {"name": "web", "dependencies": {"next": "^14.1.0"}},
            "node_modules/web": {"resolved": "apps/web", "link": True},
            "node_modules/@netlify/plugin-nextjs": {"resolved": "packages/runtime", "link": True},
            "packages/runtime": {"name": "@netlify/plugin-nextjs", "version": "4.41.3"},
            "node_modules/next": {"version": "14.1.0"},
        },
    }
    return _repo(
        tmp_path,
        {
            "package.json": json.dumps({"name": "mono", "workspaces": ["apps/*", "packages/*"]}),
            "package-lock.json": json.dumps(lock, indent=2),
            "packages/runtime/package.json": '{"name": "@netlify/plugin-nextjs", "version": "4.41.3"}',
            "apps/web/package.json": _package({"next": "^14.1.0", "@netlify/plugin-nextjs": "*"}),
            "apps/web/netlify.toml": PLUGINS,
            "apps/web/pages/api/cron.ts": SC,
        },
    )


def test_npm_workspace_reads_the_linked_workspace_version(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`"*"` is a range, not a version: the root lock links it to the workspace's own 4.41.3."""
    root = _npm_workspace(tmp_path)
    code, out, _ = _run(capsys, "check", str(root / "apps/web"))
    assert code == 0, out
    assert out.splitlines()[0] == "runtime: @netlify/plugin-nextjs 4.41.3 (../../package-lock.json)"
    assert "runtime-v5" not in out
    code, out, _ = _run(capsys, "routes", str(root / "apps/web"), "--json")
    assert json.loads(out)["runtime"] == {
        "package": "@netlify/plugin-nextjs",
        "version": "4.41.3",
        "source": "../../package-lock.json",
        "guess": False,
    }


def test_npm_workspace_root_is_not_a_site(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _npm_workspace(tmp_path)
    write_files(root, {"apps/docs/package.json": _package({"next": "13.4.19"})})
    code, out, err = _run(capsys, "routes", str(root))
    assert (code, out) == (2, "")
    assert f"{root} is not a site; sites here: apps/docs, apps/web — run `console routes " in err
    assert f"{root}/apps/docs`" in err
    code, _, err = _run(capsys, "check", str(root))
    assert code == 2 and "run `console check " in err


PNPM_LOCK = """\
lockfileVersion: '9.0'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false

importers:

  .:
    devDependencies:
      turbo:
        specifier: ^2.0.0
        version: 2.0.4

  apps/docs:
    dependencies:
      next:
        specifier: ^14.1.0
        version: 14.1.0(react-dom@18.2.0(react@18.2.0))(react@18.2.0)

  apps/web:
    dependencies:
      next:
        specifier: ^14.1.0
        version: 14.1.0(react-dom@18.2.0(react@18.2.0))(react@18.2.0)
    devDependencies:
      '@netlify/plugin-nextjs':
        specifier: ^4.41.3
        version: 4.41.3

packages:

  '@netlify/plugin-nextjs@5.9.0':
    resolution: {integrity: sha512-x}
"""


def test_pnpm_monorepo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _repo(
        tmp_path,
        {
            "package.json": '{"name": "mono", "private": true}',
            "pnpm-workspace.yaml": "packages:\n  - apps/*\n",
            "pnpm-lock.yaml": PNPM_LOCK,
            "apps/web/package.json": _package(
                {"next": "^14.1.0"}, devDependencies={"@netlify/plugin-nextjs": "^4.41.3"}
            ),
            "apps/web/netlify.toml": PLUGINS,
            "apps/web/pages/api/send-background.ts": BG,
            "apps/docs/package.json": _package({"next": "^14.1.0"}),
            "apps/docs/pages/api/nightly.ts": SC,
        },
    )
    code, _, err = _run(capsys, "routes", str(root))
    assert code == 2
    assert "sites here: apps/docs, apps/web" in err
    code, out, _ = _run(capsys, "routes", str(root / "apps/web"))
    assert code == 0
    assert out.splitlines()[0] == "runtime: @netlify/plugin-nextjs 4.41.3 (../../pnpm-lock.yaml)"
    # apps/docs has no runtime of its own: Netlify installs 5.x for its next 14.1.0.
    code, out, _ = _run(capsys, "check", str(root / "apps/docs"))
    assert code == 1
    assert out.splitlines()[0].startswith("runtime: @netlify/plugin-nextjs 5.x (not pinned")
    assert "next 14.1.0 (../../pnpm-lock.yaml)" in out
    assert "[runtime-v5]" in out


YARN_BERRY = """\
# This file is generated by running "yarn install" inside your project.

__metadata:
  version: 8
  cacheKey: 10c0

"@netlify/plugin-nextjs@npm:^5.0.0":
  version: 5.8.1
  resolution: "@netlify/plugin-nextjs@npm:5.8.1"
  checksum: 10c0/abc
  languageName: node
  linkType: hard

"next@npm:14.2.3":
  version: 14.2.3
  resolution: "next@npm:14.2.3"
  dependencies:
    "@next/env": "npm:14.2.3"
  languageName: node
  linkType: hard

"web@workspace:apps/web":
  version: 0.0.0-use.local
  resolution: "web@workspace:apps/web"
  dependencies:
    "@netlify/plugin-nextjs": "npm:^5.0.0"
    next: "npm:14.2.3"
  languageName: unknown
  linkType: soft
"""


def test_yarn_berry_workspace_on_v5_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _repo(
        tmp_path,
        {
            "package.json": json.dumps({"name": "mono", "workspaces": ["apps/*"]}),
            "yarn.lock": YARN_BERRY,
            "apps/web/package.json": _package(
                {"next": "14.2.3", "@netlify/plugin-nextjs": "^5.0.0"}
            ),
            "apps/web/pages/api/cron.ts": SC,
        },
    )
    code, out, _ = _run(capsys, "check", str(root / "apps/web"))
    assert code == 1
    assert out.splitlines()[0] == "runtime: @netlify/plugin-nextjs 5.8.1 (../../yarn.lock)"
    assert "@netlify/plugin-nextjs 5.8.1 is installed (../../yarn.lock)" in out
    assert "console migrate" in out


def test_unpinned_next_14_site_gets_v5_and_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _repo(
        tmp_path,
        {"package.json": _package({"next": "14.1.0"}), "pages/api/cron.ts": SC},
    )
    code, out, _ = _run(capsys, "check", str(root))
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == (
        "runtime: @netlify/plugin-nextjs 5.x (not pinned: Netlify installs it for next 14.1.0 "
        "(package.json))"
    )
    problem = lines[1]
    assert problem.startswith("package.json:4:5: error: @netlify/plugin-nextjs@5 does not support")
    assert "/api/cron" in problem and "the runtime is not pinned" in problem
    assert "npm install -D @netlify/plugin-nextjs@4" in problem
    assert "`console migrate` shows the change that makes them functions" in problem
    assert problem.endswith("[runtime-v5]")


def test_unpinned_next_13_4_site_gets_a_warning_about_a_ui_pin(tmp_path: Path) -> None:
    root = _repo(tmp_path, {"package.json": _package({"next": "13.4.19"}), "pages/api/a.ts": BG})
    project = discover(root)
    assert project.runtime is not None and project.runtime.version == "4.41.6"
    (problem,) = project.problems
    assert (problem.code, problem.severity) == ("runtime-v5", Severity.WARNING)
    assert "a v5 pin set in the Netlify UI" in problem.message


def test_installed_v4_without_plugins_entry_on_next_14_warns(tmp_path: Path) -> None:
    lock = {
        "lockfileVersion": 3,
        "packages": {
            "": {"name": "web"},
            "node_modules/@netlify/plugin-nextjs": {"version": "4.41.3"},
            "node_modules/next": {"version": "14.1.0"},
        },
    }
    files = {
        "package.json": _package({"next": "^14.1.0", "@netlify/plugin-nextjs": "^4.41.3"}),
        "package-lock.json": json.dumps(lock),
        "pages/api/a.ts": BG,
    }
    root = _repo(tmp_path, files)
    (problem,) = discover(root).problems
    assert (problem.code, problem.severity) == ("runtime-v5", Severity.WARNING)
    assert "no [[plugins]] entry" in problem.message
    write_files(root, {"netlify.toml": PLUGINS})
    assert discover(root).problems == ()


def test_a_range_without_a_lock_file_is_a_guess(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _repo(
        tmp_path,
        {
            "package.json": _package({"next": "^13.4.0", "@netlify/plugin-nextjs": "^4.41.3"}),
            "netlify.toml": PLUGINS,
            "pages/api/a.ts": BG,
        },
    )
    code, out, _ = _run(capsys, "routes", str(root), "--json")
    assert code == 0
    runtime = json.loads(out)["runtime"]
    assert runtime["guess"] is True and runtime["version"] == "^4.41.3"
    assert "a guess" in runtime["source"]
    assert discover(root).problems == ()
    write_files(root, {"package.json": _package({"@netlify/plugin-nextjs": "*"})})
    (problem,) = discover(root).problems
    assert problem.severity is Severity.ERROR and "npm installs the newest" in problem.message


def test_node_modules_when_there_is_no_lock_file(tmp_path: Path) -> None:
    root = _repo(
        tmp_path,
        {
            "package.json": _package({"next": "^14.1.0", "@netlify/plugin-nextjs": "^4"}),
            "netlify.toml": PLUGINS,
            "node_modules/@netlify/plugin-nextjs/package.json": '{"version": "4.40.2"}',
            "node_modules/next/package.json": '{"version": "14.0.4"}',
            "pages/api/a.ts": BG,
        },
    )
    project = discover(root)
    assert project.runtime is not None
    assert project.runtime.line() == (
        "runtime: @netlify/plugin-nextjs 4.40.2 (node_modules/@netlify/plugin-nextjs/package.json)"
    )
    assert project.problems == ()
    assert "node_modules/@netlify/plugin-nextjs/package.json" in project.files


def test_build_base_in_a_root_netlify_toml_is_followed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _repo(
        tmp_path,
        {
            "netlify.toml": '[build]\n  base = "apps/web"\n\n' + PLUGINS,
            "apps/web/package.json": _package(
                {"next": "13.4.19", "@netlify/plugin-nextjs": "4.41.3"}
            ),
            "apps/web/pages/api/cron.ts": SC,
        },
    )
    code, out, _ = _run(capsys, "routes", str(root))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "site: apps/web ([build] base in netlify.toml)"
    assert lines[1].startswith("runtime: @netlify/plugin-nextjs 4.41.3")
    assert any(line.startswith("/api/cron") for line in lines)


def test_a_lock_left_behind_by_an_edit_is_not_believed(tmp_path: Path) -> None:
    """package.json now asks for ^5.15.0; the lock still says 4.41.6: `npm install` replaces it."""
    lock = {
        "lockfileVersion": 3,
        "packages": {"node_modules/@netlify/plugin-nextjs": {"version": "4.41.6"}},
    }
    files = {
        "package.json": _package({"next": "13.4.19", "@netlify/plugin-nextjs": "^5.15.0"}),
        "package-lock.json": json.dumps(lock),
        "netlify.toml": PLUGINS,
        "pages/api/a.ts": BG,
    }
    project = discover(_repo(tmp_path, files))
    assert project.runtime is not None and project.runtime.guess
    (problem,) = project.problems
    assert problem.severity is Severity.ERROR and problem.code == "runtime-v5"
    assert "package-lock.json still has 4.41.6, which the range excludes" in problem.message


def test_console_open_on_a_monorepo_root_names_the_sites(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _npm_workspace(tmp_path)
    code, out, err = _run(capsys, "open", str(root), "--no-dev")
    assert (code, out) == (2, "")
    assert "is not a site; sites here: apps/web — run `console open " in err


def test_the_lock_above_is_found_from_a_relative_dot(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _npm_workspace(tmp_path)
    monkeypatch.chdir(root / "apps/web")
    code, out, _ = _run(capsys, "routes", ".")
    assert code == 0
    assert out.splitlines()[0] == "runtime: @netlify/plugin-nextjs 4.41.3 (../../package-lock.json)"


def test_special_files_where_locks_and_manifests_are_read(tmp_path: Path) -> None:
    """FIFOs named like a lock file, a parent's package.json and a node_modules manifest: each
    is skipped (opened without blocking, regular files only), and discovery finishes."""
    import os

    root = _repo(
        tmp_path,
        {
            "apps/web/package.json": _package({"next": "^14.1.0"}),
            "apps/web/pages/api/a.ts": BG,
            "apps/web/node_modules/next/.keep": "",
        },
    )
    os.mkfifo(root / "package.json")
    os.mkfifo(root / "package-lock.json")
    os.mkfifo(root / "apps/web/node_modules/next/package.json")
    project = discover(root / "apps/web")
    assert project.runtime is not None and project.runtime.guess  # nothing read: a guess
    assert [r.route for r in project.routes] == ["/api/a"]


def test_a_next_range_with_nothing_installed_is_judged_by_its_highest(tmp_path: Path) -> None:
    """`^13.4.0` with no lock: a fresh install gets the newest 13.x, which is >= 13.5: v5."""
    root = _repo(tmp_path, {"package.json": _package({"next": "^13.4.0"}), "pages/api/a.ts": BG})
    project = discover(root)
    assert project.runtime is not None
    assert project.runtime.line() == (
        "runtime: @netlify/plugin-nextjs 5.x (not pinned: Netlify installs it for next ^13.4.0 "
        "(a guess: nothing installed says which))"
    )
    assert project.runtime.guess
    assert [p.severity for p in project.problems] == [Severity.ERROR]


YARN_V1 = """\
# yarn lockfile v1


"@netlify/plugin-nextjs@^4.41.0":
  version "4.41.3"
  resolved "https://registry.yarnpkg.com/@netlify/plugin-nextjs/-/plugin-nextjs-4.41.3.tgz"

next@^14.1.0:
  version "14.1.4"
"""


def test_yarn_v1_site(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _repo(
        tmp_path,
        {
            "package.json": _package({"next": "^14.1.0", "@netlify/plugin-nextjs": "^4.41.0"}),
            "yarn.lock": YARN_V1,
            "netlify.toml": PLUGINS,
            "pages/api/cron.ts": SC,
        },
    )
    code, out, _ = _run(capsys, "check", str(root))
    assert (code, out.splitlines()[0]) == (
        0,
        "runtime: @netlify/plugin-nextjs 4.41.3 (yarn.lock)",
    )
