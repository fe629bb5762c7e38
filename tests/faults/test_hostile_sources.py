"""10,000 random and mutated source files in one project, and hypothesis on single files and
names: discovery gives routes and diagnostics, never a traceback or a hang. The seeds are real-
world route files (tests/faults/corpus/) and the example site's."""

from __future__ import annotations

import json
import random
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.model import Severity
from console.project import discover
from tests.faults.conftest import make_project
from tests.faults.figures import Figures
from tests.faults.test_hostile_projects import assert_survived, run_many

CORPUS = Path(__file__).parent / "corpus"
ACME_API = Path(__file__).resolve().parents[2] / "examples" / "acme" / "pages" / "api"
SEEDS: list[bytes] = [p.read_bytes() for p in sorted(CORPUS.iterdir())] + [
    p.read_bytes() for p in sorted(ACME_API.glob("*.*"))
]
PROBLEM_CODES = {
    "syntax-error", "config-ignored", "schedule-required", "schedule-not-allowed",
    "unsupported-type", "edge-runtime", "invalid-cron", "cron-extension", "cron-short",
    "index-route", "app-router", "duplicate-route", "runtime-v5", "not-read",
    # added with the real-projects work (README "What it reads"): a deployed folder that is
    # not the functions folder, a function with nothing to invoke, a netlify.toml the build fails
    "functions-folder", "no-handler", "invalid-config",
}  # fmt: skip
TOKENS = [
    b"export const config = {", b"type: 'experimental-background'", b"}", b"{", b"`", b"'",
    b'"', b"/*", b"*/", b"//", b"schedule: '@daily'", b"schedule: \"* * * * *\"", b"...",
    b"export default", b"async", b"=>", b"\\", b"${", b"\xff\xfe", b"\x00", b"\n" * 50,
    b"type: 'experimental-scheduled'", b"satisfies Config", b"as const", b"<div>", b"</",
    "é€😀".encode(), b"\r\n", b"\x1b]0;t\x07", b"[/]", b"module.exports =", b"require(",
]  # fmt: skip
EXTENSIONS = ["js", "ts", "mjs", "cjs", "jsx", "tsx", "mts", "cts", "json", "md"]
NAME_PARTS = [
    "hello", "users", "sync-background", "report", "[id]", "[...slug]", "[[...opt]]", "ünï",
    "😀", "with space", "a.b.c", "-background", "index", "_app", "api", "(group)", "@x",
    "%20", "[", "]", "~tmp", "#hash", "a" * 120,
]  # fmt: skip


def mutate(rng: random.Random, data: bytes) -> bytes:
    """One to four edits of the kinds a broken save, a bad merge or a fuzzer makes."""
    for _ in range(rng.randint(1, 4)):
        n = len(data)
        at = rng.randint(0, n)
        edit = rng.randrange(7)
        if edit == 0:  # truncate
            data = data[:at]
        elif edit == 1 and n:  # flip bytes
            b = bytearray(data)
            for _ in range(rng.randint(1, 8)):
                b[rng.randrange(n)] = rng.randrange(256)
            data = bytes(b)
        elif edit == 2:  # insert a token
            data = data[:at] + rng.choice(TOKENS) + data[at:]
        elif edit == 3:  # delete a range
            data = data[:at] + data[at + rng.randint(1, 200) :]
        elif edit == 4:  # duplicate a range
            data = data[:at] + data[max(0, at - 300) : at] + data[at:]
        elif edit == 5:  # splice another seed in
            other = rng.choice(SEEDS)
            data = data[:at] + other[rng.randint(0, len(other)) :]
        else:  # random bytes
            data = data[:at] + rng.randbytes(rng.randint(1, 64)) + data[at:]
    return data


def random_name(rng: random.Random) -> str:
    parts = [rng.choice(NAME_PARTS) for _ in range(rng.randint(1, 3))]
    return "".join(parts)[:200]


def write_hostile_tree(root: Path, n: int, seed: int) -> int:
    rng = random.Random(seed)
    written = 0
    api = root / "pages" / "api"
    functions = root / "netlify" / "functions"
    for i in range(n):
        base = functions if i % 10 == 0 else api / f"d{i % 97}" / random_name(rng)[:40]
        base.mkdir(parents=True, exist_ok=True)
        name = f"{random_name(rng)}-{i}.{rng.choice(EXTENSIONS)}"
        kind = rng.random()
        if kind < 0.6:
            data = mutate(rng, rng.choice(SEEDS))
        elif kind < 0.8:
            data = rng.choice(SEEDS)
        elif kind < 0.95:
            data = rng.randbytes(rng.randint(0, 3000))
        else:
            data = b"".join(rng.choice(TOKENS) for _ in range(rng.randint(1, 400)))
        (base / name).write_bytes(data)
        written += 1
    (api / "huge.js").write_bytes(b"export default () => {}\n" + b"//" * (700 * 1024))
    (api / "deep").mkdir(exist_ok=True)
    (api / "deep" / "loop").symlink_to("..")  # a folder loop
    return written + 1


def test_ten_thousand_hostile_files(tmp_path: Path, figures: Figures) -> None:
    root = make_project(tmp_path / "site")
    n = write_hostile_tree(root, 10_000, seed=20250601)
    p = str(root)
    report = run_many(
        root, [["routes", p, "--json"], ["check", p, "--format", "json"], ["routes", p]], 240
    )
    figures.inputs("hostile projects", n)
    assert_survived(report)
    routes_run, check_run, table_run = report["results"]
    assert routes_run["code"] == 0 and table_run["code"] == 0
    routes = json.loads(routes_run["stdout"])
    problems = json.loads(check_run["stdout"])["problems"]
    assert len(routes["routes"]) > 1000 and len(problems) > 1000
    for r in routes["routes"]:
        assert (root / r["file"]).is_file(), r
        assert r["line"] >= 1 and r["kind"] in ("api", "background", "scheduled")
    for pr in problems:
        assert pr["code"] in PROBLEM_CODES and pr["severity"] in ("error", "warning"), pr
        assert pr["line"] >= 1 and pr["column"] >= 1
    assert any(pr["code"] == "not-read" and pr["file"].endswith("huge.js") for pr in problems)
    assert any(pr["code"] == "syntax-error" for pr in problems)


def _discover_one(rel: str, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "package.json").write_text("{}")
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        project = discover(root, use_cache=False)
        for problem in project.problems:
            assert problem.severity in (Severity.ERROR, Severity.WARNING)
            assert problem.code in PROBLEM_CODES
            assert problem.line >= 1 and problem.column >= 1
            assert problem.message and "\n" not in problem.message.strip("\n")
        for route in project.routes:
            assert route.route.startswith("/")


mutated = st.builds(
    lambda seed, i, r: mutate(random.Random(r), SEEDS[i % len(SEEDS)]),
    st.just(0),
    st.integers(0, 10_000),
    st.integers(0, 2**32),
)
source = st.one_of(
    mutated,
    st.binary(max_size=3000),
    st.lists(st.sampled_from(TOKENS), max_size=60).map(b"".join),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=source, where=st.sampled_from(
    ["pages/api/x.js", "pages/api/x.ts", "netlify/functions/x.mts", "next.config.js",
     "netlify.toml", "package.json", "app/api/x/route.ts"]
))  # fmt: skip
def test_any_content_in_any_file_the_console_reads(data: bytes, where: str) -> None:
    from tests.faults.figures import FIGURES

    FIGURES.inputs("hypothesis examples")
    _discover_one(where, data)


names = st.text(
    st.characters(blacklist_characters="/\x00", blacklist_categories=["Cs"]),
    min_size=1,
    max_size=60,
).filter(lambda s: s not in (".", ".."))


@settings(max_examples=100, deadline=None)
@given(name=names, ext=st.sampled_from(["js", "ts", "mjs"]), seed=st.integers(0, len(SEEDS) - 1))
def test_any_file_name(name: str, ext: str, seed: int) -> None:
    from tests.faults.figures import FIGURES

    FIGURES.inputs("hypothesis examples")
    if len(name.encode()) > 240:
        name = name[:60]
    _discover_one(f"pages/api/{name}.{ext}", SEEDS[seed])
