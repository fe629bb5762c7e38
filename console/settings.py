"""console.toml: read with tomllib, validated once, written with tomli-w (atomic replace)."""

from __future__ import annotations

import math
import os
import re
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlsplit

from console.errors import SettingsError, UsageError
from console.model import Target, TargetKind
from console.sites import public_url, site_of

FILE_NAME = "console.toml"
DEFAULT_LOCAL_URL = "http://localhost:3000"
REDACTED = "***"
MAX_BYTES = 1024 * 1024  # a console.toml bigger than this is not one
MAX_SECONDS = 366 * 24 * 3600  # a limit or delay longer than a year is a typo (and overflows)

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
# What an HTTP/1.1 header value can carry as it is sent: visible ASCII, spaces and tabs. A line
# break would smuggle in another header; other characters fail deep inside the HTTP library.
_HEADER_VALUE = re.compile(r"^[\t\x20-\x7e]*$")
# Literal values of these headers are credentials even without ${VAR}: never shown.
_SENSITIVE = ("authorization", "cookie", "token", "secret", "key", "password", "auth")


@dataclass(frozen=True)
class Limits:
    """Deadlines in seconds per route kind, and the background retry schedule."""

    api: float = 10
    background: float = 900
    scheduled: float = 30
    retry_delays: tuple[float, ...] = (60, 120)
    # Requests in flight per target at once; the rest wait their turn (state `queued`).
    max_in_flight: int = 8


@dataclass(frozen=True)
class DevSettings:
    command: str | None = None
    url: str | None = None
    start_timeout: float = 120


@dataclass(frozen=True)
class FunctionsSettings:
    """`[functions]`: the local functions server (netlify-cli), when the project has functions.

    `command` may hold `{port}`, replaced with the port of `url` (or a free one when `url` is
    unset); unset, the console runs `netlify functions:serve --offline --port {port}` with the
    CLI from the project's node_modules/.bin or PATH.
    """

    command: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class UiSettings:
    max_log_lines: int = 10_000


@dataclass(frozen=True)
class HistorySettings:
    """What .console/history.sqlite3 keeps: old runs are pruned, each run's log is bounded."""

    max_runs: int = 5_000
    max_age_days: int = 90
    max_log_lines_per_run: int = 10_000
    max_log_bytes_per_run: int = 4 * 1024 * 1024


# The ranges each [history] key accepts: past them a value is a typo, or would hold the history
# unbounded again.
HISTORY_RANGES = {
    "max_runs": (1, 10_000_000),
    "max_age_days": (1, 36_500),
    "max_log_lines_per_run": (10, 10_000_000),
    "max_log_bytes_per_run": (1024, 1024**3),
}


@dataclass(frozen=True)
class Settings:
    """Everything console.toml says, with defaults filled in."""

    targets: tuple[Target, ...]
    dev: DevSettings = field(default_factory=DevSettings)
    limits: Limits = field(default_factory=Limits)
    ui: UiSettings = field(default_factory=UiSettings)
    keys: Mapping[str, str] = field(default_factory=dict)
    path: Path = Path(FILE_NAME)
    history: HistorySettings = field(default_factory=HistorySettings)
    functions: FunctionsSettings = field(default_factory=FunctionsSettings)

    def target(self, name: str) -> Target:
        for t in self.targets:
            if t.name == name:
                return t
        known = ", ".join(t.name for t in self.targets)
        raise UsageError(f"unknown target {name!r}; known targets: {known}")

    @property
    def local(self) -> Target:
        for t in self.targets:
            if t.kind is TargetKind.LOCAL:
                return t
        return Target("local", TargetKind.LOCAL, self.dev.url or DEFAULT_LOCAL_URL)


def settings_path(project_root: Path) -> Path:
    return project_root / FILE_NAME


def load_settings(project_root: Path) -> Settings:
    """Read and validate `<project_root>/console.toml`; defaults when the file is absent."""
    path = settings_path(project_root)
    return parse_settings(_read_raw(path), path)


def _read_raw(path: Path) -> dict[str, Any]:
    text = _read_bounded(path)
    if text is None:
        return {}
    try:
        return tomllib.loads(text.decode("utf-8"))
    except UnicodeDecodeError:
        raise SettingsError(f"{path} is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path} is not valid TOML: {exc}") from None
    except RecursionError:  # tomllib recurses per nested array or table
        raise SettingsError(f"{path} nests arrays or tables too deeply to be read") from None


def _read_bounded(path: Path) -> bytes | None:
    """The file's bytes, or None when it does not exist.

    A project may come from anywhere: console.toml may be a FIFO (opening it would block) or a
    symlink to /dev/zero (reading it would never end). Only a regular file of sane size is read.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SettingsError(f"cannot read {path}: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise SettingsError(f"cannot read {path}: it is not a regular file")
        if info.st_size > MAX_BYTES:
            raise SettingsError(f"cannot read {path}: it is larger than 1 MB")
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(MAX_BYTES + 1)
    except OSError as exc:
        raise SettingsError(f"cannot read {path}: {exc.strerror}") from None
    finally:
        os.close(fd)
    if len(data) > MAX_BYTES:
        raise SettingsError(f"cannot read {path}: it is larger than 1 MB")
    return data


def parse_settings(raw: Mapping[str, Any], path: Path) -> Settings:
    """Validate a parsed console.toml; every error names the key and the file."""
    v = _Validator(path)
    v.keys_only(raw, "", {"targets", "dev", "limits", "ui", "keys", "history", "functions"})
    targets = _parse_targets(v, raw.get("targets", {}))
    dev_raw = v.table(raw.get("dev", {}), "dev")
    v.keys_only(dev_raw, "dev", {"command", "url", "start_timeout"})
    dev = DevSettings(
        command=v.opt_str(dev_raw, "dev", "command"),
        url=v.opt_url(dev_raw, "dev", "url"),
        start_timeout=v.positive(dev_raw, "dev", "start_timeout", DevSettings.start_timeout),
    )
    fn_raw = v.table(raw.get("functions", {}), "functions")
    v.keys_only(fn_raw, "functions", {"command", "url"})
    functions = FunctionsSettings(
        command=v.opt_str(fn_raw, "functions", "command"),
        url=v.opt_url(fn_raw, "functions", "url"),
    )
    lim_raw = v.table(raw.get("limits", {}), "limits")
    v.keys_only(
        lim_raw, "limits", {"api", "background", "scheduled", "retry_delays", "max_in_flight"}
    )
    in_flight = lim_raw.get("max_in_flight", Limits.max_in_flight)
    if isinstance(in_flight, bool) or not isinstance(in_flight, int) or not 1 <= in_flight <= 1000:
        v.fail("limits.max_in_flight", "must be a whole number from 1 to 1000")
    limits = Limits(
        api=v.positive(lim_raw, "limits", "api", Limits.api),
        background=v.positive(lim_raw, "limits", "background", Limits.background),
        scheduled=v.positive(lim_raw, "limits", "scheduled", Limits.scheduled),
        retry_delays=v.delays(lim_raw, "limits", "retry_delays", Limits.retry_delays),
        max_in_flight=in_flight,
    )
    ui_raw = v.table(raw.get("ui", {}), "ui")
    v.keys_only(ui_raw, "ui", {"max_log_lines"})
    lines = ui_raw.get("max_log_lines", UiSettings.max_log_lines)
    if isinstance(lines, bool) or not isinstance(lines, int) or lines < 1:
        v.fail("ui.max_log_lines", "must be a whole number of at least 1")
    keys_raw = v.table(raw.get("keys", {}), "keys")
    keys: dict[str, str] = {}
    for k, val in keys_raw.items():
        if not isinstance(val, str) or not val.strip():
            v.fail(f"keys.{k}", 'must be a non-empty string such as "t,enter"')
        keys[k] = val
    if not any(t.kind is TargetKind.LOCAL for t in targets) and not any(
        t.name == "local" for t in targets
    ):
        # The console is first a local tool: the local target exists even when unlisted.
        targets = (Target("local", TargetKind.LOCAL, dev.url or DEFAULT_LOCAL_URL), *targets)
    history = _parse_history(v, raw.get("history", {}))
    clash = production_lookalike(targets, dev.url)
    if clash is not None:
        raise SettingsError(f"{clash} (in {path})")
    ui = UiSettings(max_log_lines=lines)
    return Settings(targets, dev, limits, ui, keys, path, history=history, functions=functions)


def _parse_history(v: _Validator, raw: Any) -> HistorySettings:
    table = v.table(raw, "history")
    v.keys_only(table, "history", set(HISTORY_RANGES))
    values: dict[str, int] = {}
    for key, (low, high) in HISTORY_RANGES.items():
        val = table.get(key, getattr(HistorySettings, key))
        if isinstance(val, bool) or not isinstance(val, int) or not low <= val <= high:
            v.fail(f"history.{key}", f"must be a whole number from {low:,} to {high:,}")
        values[key] = val
    return HistorySettings(**values)


def _parse_targets(v: _Validator, raw: Any) -> tuple[Target, ...]:
    table = v.table(raw, "targets")
    out: list[Target] = []
    for name, body in table.items():
        key = f"targets.{name}"
        if not _NAME.match(name):
            v.fail(key, "is not a valid target name (letters, digits, _ . -)")
        t = v.table(body, key)
        v.keys_only(t, key, {"kind", "url", "headers", "follow_redirects"})
        kind_raw = t.get("kind")
        if not isinstance(kind_raw, str) or kind_raw not in {k.value for k in TargetKind}:
            v.fail(f"{key}.kind", "must be one of local, preview, production")
        url = v.opt_url(t, key, "url")
        if url is None:
            v.fail(f"{key}.url", "is required")
        hdr_raw = v.table(t.get("headers", {}), f"{key}.headers")
        headers: list[tuple[str, str]] = []
        for h, hv in hdr_raw.items():
            if not _HEADER_NAME.match(h):
                v.fail(f"{key}.headers.{h}", "is not a valid HTTP header name")
            if not isinstance(hv, str) or not _HEADER_VALUE.match(hv):
                v.fail(f"{key}.headers.{h}", "must be a one-line string of printable ASCII")
            headers.append((h, hv))
        follow = t.get("follow_redirects", False)
        if not isinstance(follow, bool):
            v.fail(f"{key}.follow_redirects", "must be true or false")
        out.append(Target(name, TargetKind(kind_raw), url, tuple(headers), follow))
    return tuple(out)


def production_lookalike(targets: tuple[Target, ...], dev_url: str | None) -> str | None:
    """The sentence that refuses a production target on the same site as a local or preview
    one (or as the dev server): a plain trigger or the scheduler would send to production."""
    production = [t for t in targets if t.kind is TargetKind.PRODUCTION]
    others = [(f"the {t.kind} target {t.name!r}", t.url) for t in targets if t not in production]
    if dev_url is not None:
        others.append(("the dev server's [dev] url", dev_url))
    for p in production:
        for what, url in others:
            if site_of(url) == site_of(p.url):
                return (
                    f"the production target {p.name!r} ({public_url(p.url)}) is the same site as "
                    f"{what} ({public_url(url)}): what is sent there would reach production "
                    "unasked; give production its own host (on loopback, its own port)"
                )
    return None


class _Validator:
    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, key: str, message: str) -> NoReturn:
        raise SettingsError(f"`{key}` {message}, in {self.path}")

    def table(self, value: Any, key: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(key, "must be a table")
        return value

    def keys_only(self, table: Mapping[str, Any], prefix: str, allowed: set[str]) -> None:
        for k in table:
            if k not in allowed:
                full = f"{prefix}.{k}" if prefix else k
                known = ", ".join(sorted(allowed))
                raise SettingsError(f"unknown key `{full}` in {self.path} (known: {known})")

    def opt_str(self, table: Mapping[str, Any], prefix: str, key: str) -> str | None:
        val = table.get(key)
        if val is not None and (not isinstance(val, str) or not val.strip()):
            self.fail(f"{prefix}.{key}", "must be a non-empty string")
        return val

    def opt_url(self, table: Mapping[str, Any], prefix: str, key: str) -> str | None:
        val = self.opt_str(table, prefix, key)
        if val is not None:
            try:
                check_url(val)
            except UsageError as exc:
                self.fail(f"{prefix}.{key}", str(exc).removeprefix(f"{public_url(val)!r} "))
        return val

    def positive(self, table: Mapping[str, Any], prefix: str, key: str, default: float) -> float:
        val = table.get(key, default)
        if not _number(val) or not val > 0:
            self.fail(f"{prefix}.{key}", "must be a positive number of seconds")
        return float(val)

    def delays(
        self, table: Mapping[str, Any], prefix: str, key: str, default: tuple[float, ...]
    ) -> tuple[float, ...]:
        val = table.get(key, list(default))
        ok = isinstance(val, list) and all(_number(d) and d >= 0 for d in val)
        if not ok:
            self.fail(f"{prefix}.{key}", "must be a list of seconds, such as [60, 120]")
        return tuple(float(d) for d in val)


def _number(value: Any) -> bool:
    """A finite int or float (TOML has `inf` and `nan`; a deadline of inf cannot be waited on)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return math.isfinite(value) and value <= MAX_SECONDS


def check_url(url: str) -> str:
    """A base URL must be http(s) with a host; returns it without a trailing slash."""
    parts = urlsplit(url)
    shown = public_url(url)  # an error must not quote the password
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"{shown!r} must be an http:// or https:// URL with a host")
    if parts.query or parts.fragment:
        raise UsageError(f"{shown!r} must not have a query or fragment")
    return url.rstrip("/")


# --- secrets -------------------------------------------------------------------------------


def has_reference(value: str) -> bool:
    return bool(_VAR.search(value))


def referenced_variables(value: str) -> list[str]:
    """The names of the `${VAR}` references in a header value, in order."""
    return _VAR.findall(value)


def expand_value(value: str, header: str, target: str, env: Mapping[str, str] | None = None) -> str:
    """Expand `${VAR}` from the environment; only ever called right before a request is sent."""
    env = os.environ if env is None else env

    def sub(m: re.Match[str]) -> str:
        var = m.group(1)
        if var not in env:
            raise UsageError(
                f"header {header!r} of target {target!r} needs the environment variable "
                f"{var}, which is not set"
            )
        if not _HEADER_VALUE.match(env[var]):
            # Never quote the value: it is the secret.
            raise UsageError(
                f"header {header!r} of target {target!r}: the environment variable {var} holds "
                "a line break, control or non-ASCII character, which a header cannot carry"
            )
        return env[var]

    return _VAR.sub(sub, value)


def redact(name: str, value: str) -> str:
    """What may be shown of a header value: references and credentials become `***`."""
    if has_reference(value) or any(s in name.lower() for s in _SENSITIVE):
        return REDACTED
    return value


# --- writing -------------------------------------------------------------------------------


def add_target(project_root: Path, target: Target) -> Settings:
    """Add or replace a target in console.toml, keeping every other setting."""
    check_url(target.url)
    if not _NAME.match(target.name):
        raise UsageError(f"{target.name!r} is not a valid target name (letters, digits, _ . -)")
    for h, hv in target.headers:
        if not _HEADER_NAME.match(h) or not _HEADER_VALUE.match(hv):
            raise UsageError(
                f"header {h!r} is not a valid one-line HTTP header (printable ASCII only)"
            )
    path = settings_path(project_root)
    raw = _read_raw(path)
    parse_settings(raw, path)  # refuse to rewrite a file we could not read back
    targets = dict(raw.get("targets", {}))
    entry: dict[str, Any] = {"kind": str(target.kind), "url": target.url}
    if target.headers:
        entry["headers"] = dict(target.headers)
    if target.follow_redirects:
        entry["follow_redirects"] = True
    targets[target.name] = entry
    raw = {**raw, "targets": targets}
    try:
        settings = parse_settings(raw, path)
    except SettingsError as exc:
        raise UsageError(f"target {target.name!r} not added: {exc}") from None
    _write_atomic(path, raw)
    return settings


def remove_target(project_root: Path, name: str) -> Settings:
    path = settings_path(project_root)
    raw = _read_raw(path)
    parse_settings(raw, path)  # refuse to rewrite a file we could not read back
    targets = dict(raw.get("targets", {}))
    if name not in targets:
        known = ", ".join(targets) or "none (console.toml lists no targets)"
        raise UsageError(f"no target {name!r} in {path}; targets there: {known}")
    del targets[name]
    raw = {**raw, "targets": targets}
    if not targets:
        del raw["targets"]
    settings = parse_settings(raw, path)
    _write_atomic(path, raw)
    return settings


def _write_atomic(path: Path, raw: Mapping[str, Any]) -> None:
    import tomli_w  # only the write path needs the writer

    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            tomli_w.dump(dict(raw), f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise SettingsError(f"cannot write {path}: {exc.strerror}") from None
