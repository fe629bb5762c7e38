"""Discovery on small projects: where routes are looked for, and every problem it can report."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from console.errors import NotAProjectError
from console.model import Project, RouteKind, Severity
from console.project import discover
from console.project.source import MAX_BYTES

from .conftest import write_files

Make = Callable[[dict[str, str | bytes]], Path]
BG = "export const config = { type: 'experimental-background' }\n"
SC = "export const config = {{ type: 'experimental-scheduled', schedule: '{}' }}\n"
PLAIN = "export default function handler(req, res) { res.end('ok') }\n"


def _routes(project: Project) -> dict[str, tuple[str, str | None, str]]:
    return {r.route: (str(r.kind), r.schedule, r.file) for r in project.routes}


def _codes(project: Project) -> list[tuple[str, str, str]]:
    return [(p.file, p.code, str(p.severity)) for p in project.problems]


def test_pages_api_with_every_kind_of_segment(make_project: Make) -> None:
    root = make_project(
        {
            "pages/index.js": PLAIN,
            "pages/about.tsx": PLAIN,
            "pages/api/hello.js": PLAIN,
            "pages/api/users/index.ts": PLAIN,
            "pages/api/users/[id].ts": BG,
            "pages/api/files/[...path].js": PLAIN,
            "pages/api/docs/[[...slug]].ts": SC.format("@daily"),
            "pages/api/types.d.ts": "export type X = 1\n",
            "pages/api/_middleware.ts": PLAIN,
            "pages/api/notes.md": "# not a route\n",
        }
    )
    project = discover(root)
    assert _routes(project) == {
        "/api/docs/[[...slug]]": ("scheduled", "@daily", "pages/api/docs/[[...slug]].ts"),
        "/api/files/[...path]": ("api", None, "pages/api/files/[...path].js"),
        "/api/hello": ("api", None, "pages/api/hello.js"),
        "/api/users": ("api", None, "pages/api/users/index.ts"),
        "/api/users/[id]": ("background", None, "pages/api/users/[id].ts"),
    }
    assert [r.route for r in project.routes] == sorted(r.route for r in project.routes)
    assert project.problems == ()
    assert project.route("/api/users/[id]") is not None
    assert project.route("/api/users/[id]").function == "_api_users_id-PARAM-background"  # type: ignore[union-attr]


def test_src_pages_is_used_only_without_a_root_pages_folder(make_project: Make) -> None:
    root = make_project({"src/pages/api/a.ts": BG})
    assert _routes(discover(root)) == {"/api/a": ("background", None, "src/pages/api/a.ts")}
    write_files(root, {"pages/index.js": PLAIN})
    assert _routes(discover(root)) == {}


def test_suffix_page_extensions_from_next_config(make_project: Make) -> None:
    root = make_project(
        {
            "next.config.js": "module.exports = {\n  pageExtensions: ['page.tsx', 'api.ts'],\n}\n",
            "pages/api/run.api.ts": BG,
            "pages/api/run.test.ts": BG,
            "pages/api/helper.ts": PLAIN,
        }
    )
    project = discover(root)
    assert _routes(project) == {"/api/run": ("background", None, "pages/api/run.api.ts")}
    assert project.problems == ()


@pytest.mark.parametrize("name", ["next.config.mjs", "next.config.cjs", "next.config.ts"])
def test_next_config_in_every_flavour(make_project: Make, name: str) -> None:
    text = "const config = { pageExtensions: ['mdx', 'ts'] }\nexport default config\n"
    root = make_project({name: text, "pages/api/a.mdx": PLAIN, "pages/api/b.js": PLAIN})
    assert list(_routes(discover(root))) == ["/api/a"]


def test_computed_page_extensions_fall_back_to_the_default_with_a_warning(
    make_project: Make,
) -> None:
    root = make_project(
        {
            "next.config.js": (
                "const exts = ['ts']\nmodule.exports = {\n  pageExtensions: [...exts, 'mdx'],\n}\n"
            ),
            "pages/api/a.js": PLAIN,
        }
    )
    project = discover(root)
    assert list(_routes(project)) == ["/api/a"]
    (problem,) = project.problems
    assert (problem.file, problem.line, problem.column) == ("next.config.js", 3, 3)
    assert (problem.code, problem.severity) == ("not-read", Severity.WARNING)
    assert "pageExtensions in next.config.js is computed" in problem.message
    assert "'js', 'jsx', 'ts', 'tsx'" in problem.message


def test_next_config_is_never_executed(make_project: Make, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    root = make_project(
        {
            "next.config.js": (
                f"require('fs').writeFileSync({str(marker)!r}, 'x')\n"
                "module.exports = { pageExtensions: ['js'] }\n"
            ),
            "pages/api/a.js": PLAIN,
        }
    )
    assert list(_routes(discover(root))) == ["/api/a"]
    assert not marker.exists()


def test_duplicate_routes_are_reported_and_the_platform_choice_kept(make_project: Make) -> None:
    root = make_project(
        {
            "pages/api/job.js": PLAIN,
            "pages/api/job.ts": BG,
            "pages/api/job/index.ts": PLAIN,
        }
    )
    project = discover(root)
    # NR-v4 looks for `<page>.<ext>` then `<page>/index.<ext>`, extensions in pageExtensions
    # order (tsx, ts, jsx, js by default): the .ts file is the one whose config it reads.
    assert _routes(project) == {"/api/job": ("background", None, "pages/api/job.ts")}
    assert _codes(project) == [
        ("pages/api/job.js", "duplicate-route", "warning"),
        ("pages/api/job/index.ts", "duplicate-route", "warning"),
    ]
    assert project.problems[0].message.startswith(
        "Duplicate page detected. pages/api/job.ts and pages/api/job.js both resolve to /api/job."
    )


def test_index_route_type_is_never_examined(make_project: Make) -> None:
    root = make_project({"pages/api/index.ts": BG})
    project = discover(root)
    assert _routes(project) == {"/api": ("api", None, "pages/api/index.ts")}
    (problem,) = project.problems
    assert (problem.code, problem.severity) == ("index-route", Severity.ERROR)
    assert (problem.line, problem.column) == (1, 31)
    assert "never examines" in problem.message


def test_app_router_handlers_cannot_be_background(make_project: Make) -> None:
    root = make_project(
        {
            "app/api/sync/route.ts": BG + "export async function GET() {}\n",
            "app/api/plain/route.ts": "export async function GET() {}\n",
            "app/page.tsx": BG,
        }
    )
    project = discover(root)
    assert _codes(project) == [("app/api/sync/route.ts", "app-router", "error")]
    assert "App Router route handlers cannot be background or scheduled" in (
        project.problems[0].message
    )
    assert "app/api/sync/route.ts" in project.files


def test_runtime_v5_lists_the_routes_to_migrate(make_project: Make) -> None:
    root = make_project(
        {
            "package.json": (
                '{\n  "name": "t",\n  "devDependencies": {\n'
                '    "@netlify/plugin-nextjs": "^5.1.0"\n  }\n}\n'
            ),
            "pages/api/a-background.ts": BG,
            "pages/api/cron.ts": SC.format("@daily"),
            "pages/api/plain.ts": PLAIN,
        }
    )
    project = discover(root)
    (problem,) = project.problems
    assert (problem.file, problem.line, problem.column) == ("package.json", 4, 5)
    assert (problem.code, problem.severity) == ("runtime-v5", Severity.ERROR)
    assert problem.message.startswith(
        "@netlify/plugin-nextjs@5 does not support advanced API routes. The following API "
        "routes should be migrated to Netlify background or scheduled functions: "
        "/api/a-background, /api/cron"
    )
    assert "https://ntl.fyi/next-scheduled-bg-function-migration" in problem.message
    assert problem.message.endswith(
        "`console migrate` shows the change that makes them functions; --write applies it"
    )


def test_runtime_v4_or_no_advanced_routes_is_fine(make_project: Make) -> None:
    v4 = '{"devDependencies": {"@netlify/plugin-nextjs": "^4.41.3"}}'
    root = make_project({"package.json": v4, "pages/api/a.ts": BG})
    assert discover(root).problems == ()
    v5 = '{"devDependencies": {"@netlify/plugin-nextjs": "5.8.0"}}'
    write_files(root, {"package.json": v5, "pages/api/a.ts": PLAIN})
    assert discover(root).problems == ()


def test_syntax_error_in_a_route_file(make_project: Make) -> None:
    root = make_project({"pages/api/broken.ts": BG + "export default function (req {\n"})
    project = discover(root)
    (problem,) = project.problems
    assert (problem.code, problem.severity, problem.line) == ("syntax-error", Severity.ERROR, 2)
    # The config above the error is still read, so the route list stays useful while editing.
    assert _routes(project)["/api/broken"][0] == "background"


def test_binary_huge_and_unreadable_files_are_warnings(make_project: Make) -> None:
    root = make_project(
        {
            "pages/api/binary.js": b"\x7fELF\x00\x01config",
            "pages/api/huge.js": "// config\n" + "x" * MAX_BYTES,
            "pages/api/ok.js": BG,
        }
    )
    project = discover(root)
    assert _routes(project) == {
        "/api/binary": ("api", None, "pages/api/binary.js"),
        "/api/huge": ("api", None, "pages/api/huge.js"),
        "/api/ok": ("background", None, "pages/api/ok.js"),
    }
    assert _codes(project) == [
        ("pages/api/binary.js", "not-read", "warning"),
        ("pages/api/huge.js", "not-read", "warning"),
    ]
    assert "larger than 1 MB" in project.problems[1].message


def test_unreadable_file(make_project: Make, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_project({"pages/api/secret.js": BG, "pages/api/open.js": BG})
    secret = root / "pages/api/secret.js"
    if os.geteuid() == 0:  # root reads any file, so make open() refuse as the kernel would
        real_open = os.open

        def refusing_open(file: object, *args: object, **kwargs: object) -> object:
            if str(file) == str(secret):
                raise PermissionError(13, "Permission denied", str(file))
            return real_open(file, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr("os.open", refusing_open)
        project = discover(root)
    else:
        secret.chmod(0)
        try:
            project = discover(root)
        finally:
            secret.chmod(0o644)
    assert _codes(project) == [("pages/api/secret.js", "not-read", "warning")]
    assert "could not be read: Permission denied" in project.problems[0].message
    assert _routes(project)["/api/open"][0] == "background"


def test_a_symlink_loop_does_not_hang(make_project: Make) -> None:
    root = make_project({"pages/api/a/b.js": BG})
    os.symlink(root / "pages/api", root / "pages/api/a/loop")
    os.symlink(root / "pages/api/a/missing", root / "pages/api/dangling.js")
    project = discover(root)
    assert _routes(project) == {"/api/a/b": ("background", None, "pages/api/a/b.js")}


def test_symlinked_route_folder_is_followed(make_project: Make, tmp_path: Path) -> None:
    shared = tmp_path / "elsewhere"
    write_files(shared, {"job.ts": BG})
    root = make_project({"pages/api/local.js": PLAIN})
    os.symlink(shared, root / "pages/api/shared")
    assert "/api/shared/job" in _routes(discover(root))


def test_missing_folder_and_non_projects(tmp_path: Path) -> None:
    with pytest.raises(NotAProjectError, match="does not exist"):
        discover(tmp_path / "nope")
    (tmp_path / "file").write_text("x")
    with pytest.raises(NotAProjectError, match="is not a folder"):
        discover(tmp_path / "file")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(NotAProjectError, match="is not a project") as info:
        discover(empty)
    message = str(info.value)
    assert message.endswith(".") and ". " not in message  # one sentence


def test_a_project_needs_only_one_of_package_json_routes_or_functions(tmp_path: Path) -> None:
    only_functions = write_files(tmp_path / "f", {"netlify/functions/hi.js": PLAIN})
    assert [r.route for r in discover(only_functions).routes] == ["/.netlify/functions/hi"]
    only_routes = write_files(tmp_path / "r", {"pages/api/hi.js": PLAIN})
    assert [r.route for r in discover(only_routes).routes] == ["/api/hi"]
    only_package = write_files(tmp_path / "p", {"package.json": "{}"})
    assert discover(only_package).routes == ()


@pytest.mark.parametrize(
    ("lock", "manager"),
    [
        ("package-lock.json", "npm"),
        ("pnpm-lock.yaml", "pnpm"),
        ("yarn.lock", "yarn"),
        ("bun.lockb", "bun"),
        ("bun.lock", "bun"),
    ],
)
def test_package_manager_from_the_lock_file(make_project: Make, lock: str, manager: str) -> None:
    root = make_project({lock: "", "package.json": '{"scripts": {"dev": "next dev -p 4000"}}'})
    project = discover(root)
    assert project.package_manager == manager
    assert project.dev_script == "next dev -p 4000"


def test_package_manager_field_speaks_when_there_is_no_lock_file(make_project: Make) -> None:
    root = make_project({"package.json": '{"packageManager": "pnpm@9.1.0"}'})
    project = discover(root)
    assert (project.package_manager, project.dev_script) == ("pnpm", None)


def test_broken_package_json_is_a_problem_not_a_crash(make_project: Make) -> None:
    root = make_project({"package.json": '{\n  "name": "t",\n}\n', "pages/api/a.js": PLAIN})
    project = discover(root)
    (problem,) = project.problems
    assert (problem.file, problem.code, problem.line) == ("package.json", "syntax-error", 3)


def test_problems_are_sorted_by_file_line_column(make_project: Make) -> None:
    root = make_project(
        {
            "pages/api/b.ts": "export let config = {}\n",
            "pages/api/a.ts": "export const config = { type: 'x', schedule: 1 }\n",
            "pages/api/c.ts": "export const config = { runtime: 'edge', type: 'nope' }\n",
        }
    )
    problems = discover(root).problems
    keys = [(p.file, p.line, p.column) for p in problems]
    assert keys == sorted(keys)
    assert len(problems) == 3


def test_unchanged_files_come_from_the_cache_and_changes_are_seen(make_project: Make) -> None:
    root = make_project({"pages/api/a.ts": BG})
    first = discover(root)
    assert discover(root) == first
    path = root / "pages/api/a.ts"
    path.write_text(SC.format("@daily"))
    os.utime(path, ns=(1, 1))  # a different mtime even on coarse file systems
    assert _routes(discover(root))["/api/a"] == ("scheduled", "@daily", "pages/api/a.ts")
    assert discover(root, use_cache=False) == discover(root)


def test_files_lists_what_was_examined(make_project: Make) -> None:
    root = make_project(
        {
            "netlify.toml": "[functions]\ndirectory = 'fns'\n",
            "fns/a.js": PLAIN,
            "pages/api/b.js": PLAIN,
        }
    )
    assert discover(root).files == ("fns/a.js", "netlify.toml", "package.json", "pages/api/b.js")


def test_kinds_are_enums(make_project: Make) -> None:
    root = make_project({"pages/api/a.ts": BG})
    assert discover(root).routes[0].kind is RouteKind.BACKGROUND


def test_an_advanced_type_in_a_comment_alone_is_not_a_problem(make_project: Make) -> None:
    root = make_project(
        {"pages/api/a.ts": "// later: experimental-background\nconst config = {}\n" + PLAIN}
    )
    assert discover(root).problems == ()


def test_app_router_other_type_is_a_warning(make_project: Make) -> None:
    root = make_project({"src/app/x/route.js": "export const config = { type: 'cron' }\n"})
    assert _codes(discover(root)) == [("src/app/x/route.js", "app-router", "warning")]


def test_discovery_from_several_threads_at_once(make_project: Make) -> None:
    from concurrent.futures import ThreadPoolExecutor

    files: dict[str, str | bytes] = {f"pages/api/r{n}.ts": BG for n in range(30)}
    root = make_project(files)
    expected = discover(root, use_cache=False)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: discover(root, use_cache=False), range(8)))
    assert all(result == expected for result in results)
