"""Each template `console migrate` writes: it renders, it parses, and it does what it says (the
adapter against Next's own API resolver under node, the TypeScript ones through tsc)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from console.migrate.templates import placeholders, render, template_names
from console.project.syntax import parse, syntax_error
from tests.migrate.conftest import ACME, HERE

EXPECTED = {
    "function.mjs",
    "function.mts",
    "next-api-adapter.d.mts",
    "next-api-adapter.mjs",
    "proxy-function.mjs",
    "proxy-function.mts",
    "proxy-route",
    "route-secret.js",
    "route-secret.ts",
}
SAMPLE = {
    "summary": "Netlify scheduled function: runs on @hourly (UTC), on the published deploy only.",
    "route_file": "pages/api/cleanup.ts",
    "route": "/api/cleanup",
    "handler_file": "lib/migrated/cleanup.ts",
    "handler_import": "../lib/migrated/cleanup",
    "adapter_import": "./_lib/next-api-adapter.mjs",
    "guard_import": "../lib/migrated/_route-secret",
    "config": "{\n  schedule: '@hourly',\n}",
    "next_only": "res.revalidate",
    "function": "cleanup",
    "route_config": "\nexport const config = { api: { bodyParser: false } }\n",
}


def _needs_node_and_next() -> None:
    if shutil.which("node") and (ACME / "node_modules" / "next").is_dir():
        return
    message = f"node and the example's packages are needed: run `npm ci` in {ACME}"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _rendered(name: str) -> str:
    return render(name, **{key: SAMPLE[key] for key in placeholders(name)})


def test_the_package_holds_every_template() -> None:
    assert set(template_names()) == EXPECTED


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_template_renders_to_source_that_parses(name: str) -> None:
    text = _rendered(name)
    assert "{{" not in text and "}}" not in text.replace("}}\n", "")
    grammar_name = name if "." in name else name + ".ts"
    tree = parse(text.encode(), grammar_name)
    assert syntax_error(tree.root_node) is None, text


def test_render_refuses_a_missing_or_an_unused_value() -> None:
    values = {key: SAMPLE[key] for key in placeholders("function.mts")}
    with pytest.raises(KeyError, match="missing"):
        render("function.mts", **{k: v for k, v in values.items() if k != "config"})
    with pytest.raises(KeyError, match="unused"):
        render("function.mts", **values, extra="x")


def _run_node_test(test_file: Path, env: dict[str, str], cwd: Path) -> None:
    result = subprocess.run(
        ["node", "--test", "--test-reporter=tap", str(test_file)],
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    failed = [line for line in result.stdout.splitlines() if line.lstrip().startswith("not ok")]
    assert result.returncode == 0 and not failed, result.stdout[-6000:] + result.stderr[-2000:]
    assert "# pass" in result.stdout and "# fail 0" in result.stdout


def test_the_adapter_behaves_as_nexts_api_resolver(tmp_path: Path) -> None:
    _needs_node_and_next()
    adapter = tmp_path / "next-api-adapter.mjs"
    adapter.write_text(render("next-api-adapter.mjs"), encoding="utf-8")
    _run_node_test(
        HERE / "adapter.test.mjs", {"ADAPTER": str(adapter), "NEXT_FROM": str(ACME)}, tmp_path
    )


def test_the_route_secret_guard_answers_404_without_the_secret(tmp_path: Path) -> None:
    _needs_node_and_next()
    guard = tmp_path / "route-secret.mjs"  # .mjs: node runs the ESM template as is
    guard.write_text(render("route-secret.js"), encoding="utf-8")
    _run_node_test(HERE / "route_secret.test.mjs", {"GUARD": str(guard)}, tmp_path)


def test_the_typescript_templates_type_check(tmp_path: Path) -> None:
    """tsc --strict over a function, a proxy function, the adapter's types, the guard and the
    proxy route, with the example's `next` and `@netlify/functions` types."""
    _needs_node_and_next()
    tsc = ACME / "node_modules" / "typescript" / "bin" / "tsc"
    files = {
        "netlify/functions/cleanup.mts": _rendered("function.mts").replace(
            "../lib/migrated/cleanup", "../../lib/migrated/cleanup"
        ),
        "netlify/functions/revalidate.mts": _rendered("proxy-function.mts"),
        "netlify/functions/_lib/next-api-adapter.d.mts": render("next-api-adapter.d.mts"),
        "lib/migrated/_route-secret.ts": render("route-secret.ts"),
        "pages/api/cleanup.ts": _rendered("proxy-route").replace("../lib/", "../../lib/"),
        "lib/migrated/cleanup.ts": (
            "import type { NextApiRequest, NextApiResponse } from 'next'\n"
            "export const config = { type: 'experimental-scheduled', schedule: '@hourly' }\n"
            "export default async function handler(req: NextApiRequest, res: NextApiResponse) {\n"
            "  res.status(200).json({ method: req.method })\n}\n"
        ),
        "tsconfig.json": (
            '{"compilerOptions": {"strict": true, "noEmit": true, "target": "es2020",'
            ' "module": "esnext", "moduleResolution": "bundler", "skipLibCheck": true,'
            ' "esModuleInterop": true, "lib": ["dom", "esnext"], "types": ["node"]},'
            ' "include": ["**/*.ts", "**/*.mts"]}'
        ),
    }
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (tmp_path / "node_modules").symlink_to(ACME / "node_modules")
    result = subprocess.run(
        ["node", str(tsc), "-p", "tsconfig.json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
