"""`console check`: what the platform would ignore or reject, as text, JSON or CI annotations."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from console.commands._common import (
    load_project,
    print_json,
    print_text,
    runtime_json,
    runtime_lines,
)
from console.commands.routes import problem_summary
from console.model import Problem, Project, Severity


def run(args: argparse.Namespace) -> int:
    project = load_project(args.project, "check")
    verbose = getattr(args, "verbose", False)
    if args.format == "json":
        data: dict[str, object] = {
            "project": str(project.root),
            **runtime_json(project),
            "problems": [p.to_json() for p in project.problems],
        }
        if verbose:
            data["files"] = list(project.files)
        print_json(data)
    elif args.format == "github":
        for problem in project.problems:
            print_text(github_annotation(problem, _path_for_ci(project, problem.file)))
        print(_summary(project))
    else:
        for line in runtime_lines(project):
            print_text(line)
        for problem in project.problems:
            print_text(text_line(problem))
        print(_summary(project))
        if verbose:
            print_text("files read:\n" + "\n".join(f"  {name}" for name in project.files))
    return exit_code(project.problems, strict=args.strict)


def exit_code(problems: tuple[Problem, ...], *, strict: bool) -> int:
    """1 on any error (or any problem at all with --strict), else 0."""
    if any(p.severity is Severity.ERROR for p in problems):
        return 1
    return 1 if strict and problems else 0


def text_line(problem: Problem) -> str:
    return (
        f"{problem.file}:{problem.line}:{problem.column}: "
        f"{problem.severity}: {problem.message} [{problem.code}]"
    )


def _summary(project: Project) -> str:
    count = len(project.files)
    files = f"{count} file{'s' if count != 1 else ''}"
    summary = problem_summary(project.problems)
    return f"{summary} in {files}" if summary else f"no problems in {files}"


def github_annotation(problem: Problem, path: str) -> str:
    """A GitHub Actions workflow command: `::error file=F,line=L,col=C,title=CODE::message`."""
    properties = ",".join(
        f"{key}={_escape_property(value)}"
        for key, value in (
            ("file", path),
            ("line", str(problem.line)),
            ("col", str(problem.column)),
            ("title", problem.code),
        )
    )
    return f"::{problem.severity} {properties}::{_escape_data(problem.message)}"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _path_for_ci(project: Project, file: str) -> str:
    """Annotations name files from the checkout root, the working directory in CI."""
    full = (project.root / file).resolve()
    try:
        return full.relative_to(Path(os.getcwd()).resolve()).as_posix()
    except ValueError:
        return file
