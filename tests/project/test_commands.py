"""`console routes` and `console check` through the real CLI entry point, plus golden files.

The golden files pin the JSON of both commands on the example site. After a deliberate change,
regenerate them with `UPDATE_GOLDEN=1 python -m pytest tests/project/test_commands.py` and
review the diff.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from console.cli import main

ACME = Path(__file__).resolve().parents[2] / "examples" / "acme"
GOLDEN = Path(__file__).parent / "golden"
Make = Callable[[dict[str, str | bytes]], Path]
BG = "export const config = { type: 'experimental-background' }\n"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _golden(name: str, data: object) -> None:
    path = GOLDEN / name
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} changed; see the module docstring"


@pytest.mark.skipif(not ACME.is_dir(), reason="the example site is not in this checkout")
def test_golden_routes_json_on_the_example(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "routes", str(ACME), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["project"] == str(ACME)
    data["project"] = "examples/acme"
    kinds = [r["kind"] for r in data["routes"]]
    assert kinds.count("background") >= 3 and kinds.count("scheduled") >= 3
    _golden("acme-routes.json", data)


@pytest.mark.skipif(not ACME.is_dir(), reason="the example site is not in this checkout")
def test_golden_check_json_on_the_example(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "check", str(ACME), "--format", "json")
    assert code == 1  # the example keeps one deliberate `as const` mistake
    data = json.loads(out)
    data["project"] = "examples/acme"
    assert {p["code"] for p in data["problems"]} == {"config-ignored"}
    _golden("acme-check.json", data)


def test_routes_table(make_project: Make, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project(
        {
            "pages/api/users/[id].ts": BG,
            "pages/api/cron.js": (
                "export const config = { type: 'experimental-scheduled', schedule: '@daily' }\n"
            ),
            "pages/api/bad.ts": "export const config = { type: 'nope' }\n",
            "pages/api/cast.ts": BG.replace("}\n", "} as const\n"),
            "pages/api/short.ts": (
                "export const config = { type: 'experimental-scheduled', schedule: '* * * *' }\n"
            ),
        }
    )
    code, out, _ = _run(capsys, "routes", str(root))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["ROUTE", "KIND", "SCHEDULE", "FUNCTION", "FILE"]
    assert lines[1].split() == [
        "/api/bad",
        "api",
        "-",
        "___netlify-handler",  # a route without a valid type has no function of its own
        "pages/api/bad.ts:1",
    ]
    assert "/api/users/[id]  background" in out
    assert "_api_users_id-PARAM-background  pages/api/users/[id].ts:1" in out
    header_file_column = lines[0].index("FILE")
    assert all(line.index("pages/") == header_file_column for line in lines[1:6])
    assert lines[-1] == "2 errors, 1 warning: run `console check` for details"


def test_routes_json_shape(make_project: Make, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project({"pages/api/a.ts": BG})
    code, out, _ = _run(capsys, "routes", str(root), "--json")
    assert code == 0
    data = json.loads(out)
    assert data == {
        "project": str(root),
        "runtime": None,  # no `next` and no runtime in package.json: not a Next.js site
        "routes": [
            {
                "route": "/api/a",
                "kind": "background",
                "schedule": None,
                "file": "pages/api/a.ts",
                "line": 1,
                "function": "_api_a-background",
                "source": "next",
                "placement": "own",
            }
        ],
        "problems": [],
    }


def test_check_text_and_exit_codes(make_project: Make, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project({"pages/api/a.ts": BG})
    code, out, _ = _run(capsys, "check", str(root))
    assert (code, out) == (0, "no problems in 2 files\n")

    short = "export const config = { type: 'experimental-scheduled', schedule: '* * * *' }\n"
    (root / "pages/api/a.ts").write_text(short)
    os.utime(root / "pages/api/a.ts", ns=(5, 5))
    code, out, _ = _run(capsys, "check", str(root))
    assert code == 0
    first, summary = out.splitlines()
    assert first.startswith("pages/api/a.ts:1:67: warning: only 4 fields")
    assert first.endswith("[cron-short]")
    assert summary == "1 warning in 2 files"
    assert _run(capsys, "check", str(root), "--strict")[0] == 1

    (root / "pages/api/a.ts").write_text(BG.replace("}\n", "} as const\n"))
    os.utime(root / "pages/api/a.ts", ns=(9, 9))
    code, out, _ = _run(capsys, "check", str(root))
    assert code == 1
    assert out.splitlines()[0] == (
        "pages/api/a.ts:1:59: error: `as const` is not read by the platform: config is ignored "
        "and this route will deploy as a normal synchronous route [config-ignored]"
    )


def test_check_github_annotations(
    make_project: Make, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_project(
        {
            "pages/api/a.ts": "export const config = { type: 'nope, really: 100%' }\n",
            "pages/api/b.ts": (
                "export const config = { type: 'experimental-scheduled', schedule: '* * * *' }\n"
            ),
        }
    )
    monkeypatch.chdir(root.parent)
    code, out, _ = _run(capsys, "check", str(root), "--format", "github")
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == (
        f"::error file={root.name}/pages/api/a.ts,line=1,col=31,title=unsupported-type::"
        "Invalid config value in pages/api/a.ts: type nope, really: 100%25 is not supported"
    )
    assert lines[1].startswith(
        f"::warning file={root.name}/pages/api/b.ts,line=1,col=67,title=cron-short::"
    )
    assert lines[2] == "1 error, 1 warning in 3 files"


def test_check_json(make_project: Make, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_project({"pages/api/a.ts": "export let config = {}\n"})
    code, out, _ = _run(capsys, "check", str(root), "--format", "json", "--strict")
    assert code == 1
    assert json.loads(out)["problems"] == [
        {
            "file": "pages/api/a.ts",
            "line": 1,
            "column": 8,
            "severity": "warning",
            "code": "config-ignored",
            "message": (
                "`export let config` is not read by the platform (only `export const` is): "
                "config is ignored and this route will deploy as a normal synchronous route"
            ),
        }
    ]


@pytest.mark.parametrize("command", [["routes"], ["check"], ["routes", "--json"]])
def test_not_a_project_exits_2_with_one_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    code, out, err = _run(capsys, command[0], str(tmp_path / "missing"), *command[1:])
    # Under --json the error is also a JSON object on stdout (README); the sentence stays.
    expected = (
        {"error": {"message": f"{tmp_path / 'missing'} does not exist.", "code": "not-a-project"}}
        if "--json" in command
        else None
    )
    assert code == 2
    assert (json.loads(out) if out else None) == expected
    assert err == f"console: {tmp_path / 'missing'} does not exist.\n"
    code, out, err = _run(capsys, command[0], str(tmp_path), *command[1:])
    assert code == 2
    assert "is not a project" in err and err.count("\n") == 1


PLATFORM_VIEW = ACME / "platform-view.json"


@pytest.mark.skipif(not PLATFORM_VIEW.is_file(), reason="no platform view of the example")
def test_discovery_agrees_with_the_platform_on_the_example() -> None:
    """platform-view.json is what @netlify/plugin-nextjs v4 itself read from the example's build.

    Every Next route it lists must come out of discovery with the same kind, schedule and, for
    advanced routes, the same generated function name.
    """
    from console.project import discover

    view = json.loads(PLATFORM_VIEW.read_text())
    project = discover(ACME)
    ours = {r.route: r for r in project.routes if r.source == "next"}
    assert set(ours) == {entry["route"] for entry in view}
    for entry in view:
        route = ours[entry["route"]]
        expected_kind = {
            "experimental-background": "background",
            "experimental-scheduled": "scheduled",
        }.get(entry["config"].get("type"), "api")
        assert str(route.kind) == expected_kind, entry
        assert route.schedule == entry["config"].get("schedule"), entry
        if entry["function"] is not None:
            assert route.function == entry["function"], entry


def test_check_verbose_lists_the_files_it_read(
    make_project: Make, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project({"pages/api/a.ts": BG, "netlify/functions/n.mjs": "export default 1\n"})
    code, out, _ = _run(capsys, "check", str(root), "--verbose")
    assert code == 0
    assert out.splitlines() == [
        "no problems in 3 files",
        "files read:",
        "  netlify/functions/n.mjs",
        "  package.json",
        "  pages/api/a.ts",
    ]
    code, out, _ = _run(capsys, "check", str(root), "--format", "json", "-v")
    assert json.loads(out)["files"] == ["netlify/functions/n.mjs", "package.json", "pages/api/a.ts"]
