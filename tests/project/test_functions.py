"""Netlify functions: the folder, the forms of a function, kinds, routes and netlify.toml."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from console.model import Project, RouteSource, Severity
from console.project import discover

Make = Callable[[dict[str, str | bytes]], Path]
V2 = "export default async (req) => new Response('ok')\n"
V1 = "exports.handler = async () => ({ statusCode: 200 })\n"


def _routes(project: Project) -> dict[str, tuple[str, str | None, str, str]]:
    return {r.route: (str(r.kind), r.schedule, r.file, r.function) for r in project.routes}


def test_one_file_or_a_folder_per_function(make_project: Make) -> None:
    root = make_project(
        {
            "netlify/functions/hello.mjs": V2,
            "netlify/functions/typed.mts": V2,
            "netlify/functions/common.cts": V1,
            "netlify/functions/jsx.tsx": V2,
            "netlify/functions/by-index/index.ts": V2,
            "netlify/functions/by-name/by-name.js": V1,
            "netlify/functions/by-name/helper.js": V1,
            "netlify/functions/empty-folder/README.md": "no main file\n",
            "netlify/functions/notes.md": "not a function\n",
            "netlify/functions/types.d.ts": "export type X = 1\n",
            "netlify/functions/node_modules/x/index.js": V1,
        }
    )
    project = discover(root)
    assert _routes(project) == {
        "/.netlify/functions/by-index": (
            "api",
            None,
            "netlify/functions/by-index/index.ts",
            "by-index",
        ),
        "/.netlify/functions/by-name": (
            "api",
            None,
            "netlify/functions/by-name/by-name.js",
            "by-name",
        ),
        "/.netlify/functions/common": ("api", None, "netlify/functions/common.cts", "common"),
        "/.netlify/functions/hello": ("api", None, "netlify/functions/hello.mjs", "hello"),
        "/.netlify/functions/jsx": ("api", None, "netlify/functions/jsx.tsx", "jsx"),
        "/.netlify/functions/typed": ("api", None, "netlify/functions/typed.mts", "typed"),
    }
    assert all(r.source is RouteSource.FUNCTION for r in project.routes)
    assert project.problems == ()


def test_functions_folder_from_netlify_toml(make_project: Make) -> None:
    root = make_project(
        {
            "netlify.toml": '[functions]\n  directory = "api/fns/"\n',
            "api/fns/a.js": V1,
            "netlify/functions/ignored.js": V1,
        }
    )
    assert list(_routes(discover(root))) == ["/.netlify/functions/a"]


def test_legacy_build_functions_setting(make_project: Make) -> None:
    root = make_project({"netlify.toml": '[build]\nfunctions = "lambda"\n', "lambda/a.js": V1})
    assert list(_routes(discover(root))) == ["/.netlify/functions/a"]


def test_background_by_name_or_by_config(make_project: Make) -> None:
    root = make_project(
        {
            "netlify/functions/upload-background.mjs": V2,
            "netlify/functions/flagged.mjs": V2 + "export const config = { background: true }\n",
        }
    )
    kinds = {r.function: str(r.kind) for r in discover(root).routes}
    assert kinds == {"upload-background": "background", "flagged": "background"}


def test_scheduled_by_config_helper_and_netlify_toml(make_project: Make) -> None:
    root = make_project(
        {
            "netlify.toml": (
                "[build]\n  publish = '.next'\n\n"
                '[functions."from-toml"]\n  schedule = "0 3 * * *"\n\n'
                "[[plugins]]\n  package = '@netlify/plugin-nextjs'\n"
            ),
            "netlify/functions/from-toml.mjs": V2,
            "netlify/functions/from-config.mjs": V2
            + "export const config = { schedule: '@daily' }\n",
            "netlify/functions/v1-require.js": (
                "const { schedule } = require('@netlify/functions')\n"
                "exports.handler = schedule('0 4 * * 0', async () => ({ statusCode: 200 }))\n"
            ),
            "netlify/functions/v1-import.ts": (
                "import { schedule as every } from '@netlify/functions'\n"
                "const CRON = '*/10 * * * *'\n"
                "export const handler = every(CRON, async () => ({ statusCode: 200 }))\n"
            ),
            "netlify/functions/v1-namespace.mjs": (
                "import * as nf from '@netlify/functions'\n"
                "export const handler = nf.schedule(`@hourly`, async () => ({}))\n"
            ),
        }
    )
    project = discover(root)
    routes = {r.function: (str(r.kind), r.schedule, r.line) for r in project.routes}
    assert routes == {
        "from-toml": ("scheduled", "0 3 * * *", 1),
        "from-config": ("scheduled", "@daily", 2),
        "v1-require": ("scheduled", "0 4 * * 0", 2),
        "v1-import": ("scheduled", "*/10 * * * *", 3),
        "v1-namespace": ("scheduled", "@hourly", 2),
    }
    assert project.problems == ()


def test_a_schedule_helper_from_elsewhere_is_not_netlifys(make_project: Make) -> None:
    root = make_project(
        {
            "netlify/functions/other.js": (
                "const { schedule } = require('./my-cron')\n"
                "exports.handler = schedule('@daily', async () => ({}))\n"
            )
        }
    )
    assert str(discover(root).routes[0].kind) == "api"


def test_a_computed_cron_in_the_helper_is_reported(make_project: Make) -> None:
    root = make_project(
        {
            "netlify/functions/env.js": (
                "const { schedule } = require('@netlify/functions')\n"
                "exports.handler = schedule(process.env.CRON, async () => ({}))\n"
            )
        }
    )
    project = discover(root)
    assert str(project.routes[0].kind) == "api"
    (problem,) = project.problems
    assert (problem.code, problem.severity, problem.line, problem.column) == (
        "config-ignored",
        Severity.WARNING,
        2,
        28,
    )
    assert "will not be scheduled" in problem.message


def test_config_path_becomes_the_route(make_project: Make) -> None:
    root = make_project(
        {
            "netlify/functions/users.mjs": V2 + "export const config = { path: '/users/:id' }\n",
            "netlify/functions/many.mjs": V2 + "export const config = { path: ['/a', '/b'] }\n",
        }
    )
    assert _routes(discover(root)) == {
        "/a": ("api", None, "netlify/functions/many.mjs", "many"),
        "/users/:id": ("api", None, "netlify/functions/users.mjs", "users"),
    }


def test_a_function_path_that_takes_a_next_route_is_a_duplicate(make_project: Make) -> None:
    root = make_project(
        {
            "pages/api/hello.js": V2,
            "netlify/functions/hello.mjs": V2 + "export const config = { path: '/api/hello' }\n",
        }
    )
    project = discover(root)
    assert [r.file for r in project.routes] == ["pages/api/hello.js"]
    (problem,) = project.problems
    assert (problem.file, problem.code) == ("netlify/functions/hello.mjs", "duplicate-route")


def test_same_name_twice_folder_wins_then_extension_order(make_project: Make) -> None:
    root = make_project(
        {
            "netlify/functions/job.ts": V2,
            "netlify/functions/job.js": V2,
            "netlify/functions/job/index.mjs": V2,
            "netlify/functions/two.ts": V2,
            "netlify/functions/two.mjs": V2,
        }
    )
    project = discover(root)
    assert {r.function: r.file for r in project.routes} == {
        "job": "netlify/functions/job/index.mjs",
        "two": "netlify/functions/two.mjs",
    }
    assert [(p.file, p.code) for p in project.problems] == [
        ("netlify/functions/job.js", "duplicate-route"),
        ("netlify/functions/job.ts", "duplicate-route"),
        ("netlify/functions/two.ts", "duplicate-route"),
    ]


def test_invalid_cron_in_netlify_toml_uses_the_build_words(make_project: Make) -> None:
    root = make_project(
        {
            "netlify.toml": '[functions."nightly"]\nschedule = "0 0 31 2 *"\n',
            "netlify/functions/nightly.mjs": V2,
        }
    )
    project = discover(root)
    (problem,) = project.problems
    assert (problem.file, problem.line, problem.column) == ("netlify.toml", 2, 12)
    assert (problem.code, problem.severity) == ("invalid-cron", Severity.ERROR)
    assert problem.message.startswith(
        'functions."nightly".schedule must be a valid cron expression '
        "(see https://ntl.fyi/cron-syntax)."
    )


def test_netlify_toml_schedule_for_no_function(make_project: Make) -> None:
    root = make_project(
        {
            "netlify.toml": '[functions."nigthly"]\nschedule = "@daily"\n',
            "netlify/functions/nightly.mjs": V2,
        }
    )
    project = discover(root)
    assert str(project.routes[0].kind) == "api"
    (problem,) = project.problems
    assert (problem.code, problem.line) == ("config-ignored", 2)
    assert "no function in netlify/functions has that name" in problem.message


def test_netlify_toml_glob_pattern(make_project: Make) -> None:
    root = make_project(
        {
            "netlify.toml": '[functions."cron-*"]\nschedule = "@hourly"\n',
            "netlify/functions/cron-a.mjs": V2,
            "netlify/functions/other.mjs": V2,
        }
    )
    kinds = {r.function: str(r.kind) for r in discover(root).routes}
    assert kinds == {"cron-a": "scheduled", "other": "api"}


def test_broken_netlify_toml(make_project: Make) -> None:
    root = make_project({"netlify.toml": "[functions\n", "netlify/functions/a.mjs": V2})
    project = discover(root)
    (problem,) = project.problems
    assert (problem.file, problem.code, problem.line) == ("netlify.toml", "syntax-error", 1)


@pytest.mark.parametrize(
    ("config", "code", "severity"),
    [
        ("export const config = { schedule: CRON }", "config-ignored", Severity.WARNING),
        ("export const config = { schedule: '61 * * * *' }", "invalid-cron", Severity.ERROR),
        ("export const config = { schedule: 5 }", "invalid-cron", Severity.ERROR),
        ("export const config = { schedule: '* * * *' }", "cron-short", Severity.WARNING),
        ("export const config = { schedule: 'L * * * *' }", "invalid-cron", Severity.ERROR),
        ("export const config = { schedule: '0 0 L * *' }", "cron-extension", Severity.WARNING),
    ],
)
def test_function_config_problems(
    make_project: Make, config: str, code: str, severity: Severity
) -> None:
    job = "const CRON = '@daily'\n" + config + "\n" + V2
    root = make_project({"netlify/functions/job.mjs": job})
    project = discover(root)
    (problem,) = project.problems
    assert (problem.code, problem.severity, problem.line) == (code, severity, 2)


def test_function_config_ignored_message_says_it_will_not_be_scheduled(make_project: Make) -> None:
    root = make_project(
        {
            "netlify/functions/job.mts": "export const config = { schedule: '@daily' } as const\n"
            + V2
        }
    )
    (problem,) = discover(root).problems
    assert problem.message == (
        "`as const` is not read by the platform: config is ignored and this function will not "
        "be scheduled"
    )
