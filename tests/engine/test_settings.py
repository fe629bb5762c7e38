"""console.toml: defaults, validation in one sentence, atomic writes that keep everything else."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from console.errors import SettingsError, UsageError
from console.model import Target, TargetKind
from console.settings import (
    Limits,
    add_target,
    expand_value,
    load_settings,
    redact,
    remove_target,
)

FULL = """
[targets.local]
kind = "local"
url = "http://localhost:3000"

[targets.preview]
kind = "preview"
url = "https://deploy-preview-42--acme.netlify.app"
headers = { Authorization = "Basic ${PREVIEW_AUTH}" }

[targets.production]
kind = "production"
url = "https://acme.netlify.app"

[dev]
command = "npm run dev"
url = "http://localhost:3000"

[limits]
api = 10
background = 900
scheduled = 30
retry_delays = [60, 120]

[ui]
max_log_lines = 10000

[keys]
trigger = "t,enter"
"""


def test_without_a_file_there_is_one_local_target(tmp_path: Path) -> None:
    s = load_settings(tmp_path)
    assert s.targets == (Target("local", TargetKind.LOCAL, "http://localhost:3000"),)
    assert s.local == s.targets[0]
    assert s.limits == Limits(api=10, background=900, scheduled=30, retry_delays=(60, 120))
    assert s.path == tmp_path / "console.toml"


def test_the_design_example_reads_back(tmp_path: Path) -> None:
    (tmp_path / "console.toml").write_text(FULL)
    s = load_settings(tmp_path)
    assert [t.name for t in s.targets] == ["local", "preview", "production"]
    assert s.target("preview").headers == (("Authorization", "Basic ${PREVIEW_AUTH}"),)
    assert s.target("production").kind is TargetKind.PRODUCTION
    assert s.dev.command == "npm run dev"
    assert s.keys == {"trigger": "t,enter"}
    assert s.ui.max_log_lines == 10000


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[limits]\napi = 10\nbackgroud = 5\n", "unknown key `limits.backgroud`"),
        ("colour = 'red'\n", "unknown key `colour`"),
        ("[targets.x]\nkind = 'staging'\nurl = 'http://a'\n", "`targets.x.kind` must be one of"),
        ("[targets.x]\nkind = 'preview'\n", "`targets.x.url` is required"),
        ("[targets.x]\nkind = 'preview'\nurl = 'ftp://a'\n", "`targets.x.url`"),
        (
            "[targets.x]\nkind = 'preview'\nurl = 'http://a'\nheaders = { A = 1 }\n",
            "`targets.x.headers.A`",
        ),
        (
            "[targets.x]\nkind = 'preview'\nurl = 'http://a'\ncolor = 1\n",
            "unknown key `targets.x.color`",
        ),
        ("[limits]\napi = -1\n", "`limits.api` must be a positive number of seconds"),
        ("[limits]\nbackground = true\n", "`limits.background` must be a positive number"),
        ("[limits]\nretry_delays = 60\n", "`limits.retry_delays` must be a list of seconds"),
        ("[ui]\nmax_log_lines = 0\n", "`ui.max_log_lines` must be a whole number"),
        ("[keys]\ntrigger = 5\n", "`keys.trigger` must be a non-empty string"),
        ("limits = 5\n", "`limits` must be a table"),
        ("[limits\n", "is not valid TOML"),
    ],
)
def test_bad_input_is_one_sentence_naming_key_and_file(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "console.toml"
    path.write_text(text)
    with pytest.raises(SettingsError) as err:
        load_settings(tmp_path)
    assert message in str(err.value)
    assert str(path) in str(err.value)
    assert "\n" not in str(err.value)


def test_an_unknown_target_lists_the_known_ones(tmp_path: Path) -> None:
    (tmp_path / "console.toml").write_text(FULL)
    with pytest.raises(
        UsageError, match="unknown target 'staging'; known targets: local, preview, production"
    ):
        load_settings(tmp_path).target("staging")


def test_add_target_keeps_every_other_setting_and_leaves_no_temp_file(tmp_path: Path) -> None:
    path = tmp_path / "console.toml"
    path.write_text(FULL)
    before = tomllib.loads(FULL)
    add_target(
        tmp_path,
        Target("staging", TargetKind.PREVIEW, "https://staging.acme.app", (("X-Env", "stage"),)),
    )
    after = tomllib.loads(path.read_text())
    assert after["targets"]["staging"] == {
        "kind": "preview",
        "url": "https://staging.acme.app",
        "headers": {"X-Env": "stage"},
    }
    del after["targets"]["staging"]
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["console.toml"]


def test_add_replaces_and_remove_deletes(tmp_path: Path) -> None:
    add_target(tmp_path, Target("p", TargetKind.PREVIEW, "https://a.example"))
    add_target(tmp_path, Target("p", TargetKind.PRODUCTION, "https://b.example"))
    s = load_settings(tmp_path)
    assert s.target("p") == Target("p", TargetKind.PRODUCTION, "https://b.example")
    # The local target is still there although console.toml does not list it.
    assert s.local.url == "http://localhost:3000"
    remove_target(tmp_path, "p")
    assert [t.name for t in load_settings(tmp_path).targets] == ["local"]
    with pytest.raises(UsageError, match=r"no target 'p' in .*; targets there: none"):
        remove_target(tmp_path, "p")


def test_a_broken_file_is_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "console.toml"
    path.write_text("[limits]\napi = 'soon'\n")
    with pytest.raises(SettingsError):
        add_target(tmp_path, Target("p", TargetKind.PREVIEW, "https://a.example"))
    assert path.read_text() == "[limits]\napi = 'soon'\n"


def test_add_rejects_bad_urls_and_names(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="must be an http:// or https:// URL"):
        add_target(tmp_path, Target("p", TargetKind.PREVIEW, "acme.app"))
    with pytest.raises(UsageError, match="not a valid target name"):
        add_target(tmp_path, Target("a b", TargetKind.PREVIEW, "https://acme.app"))
    assert not (tmp_path / "console.toml").exists()


def test_variables_expand_only_on_request_and_missing_ones_are_named() -> None:
    assert (
        expand_value("Basic ${A}-${B}", "Authorization", "p", {"A": "x", "B": "y"}) == "Basic x-y"
    )
    with pytest.raises(UsageError) as err:
        expand_value("Basic ${SECRET}", "Authorization", "preview", {})
    assert str(err.value) == (
        "header 'Authorization' of target 'preview' needs the environment variable SECRET, "
        "which is not set"
    )


def test_redaction() -> None:
    assert redact("X-Thing", "a ${B}") == "***"
    assert redact("Authorization", "Basic abc") == "***"  # a literal credential too
    assert redact("X-Env", "stage") == "stage"


def test_follow_redirects_is_a_per_target_opt_in(tmp_path: Path) -> None:
    add_target(tmp_path, Target("p", TargetKind.PREVIEW, "https://a.example", (), True))
    assert "follow_redirects = true" in (tmp_path / "console.toml").read_text()
    s = load_settings(tmp_path)
    assert s.target("p").follow_redirects and not s.local.follow_redirects
    (tmp_path / "console.toml").write_text(
        '[targets.p]\nkind = "preview"\nurl = "https://a.example"\nfollow_redirects = "yes"\n'
    )
    with pytest.raises(SettingsError, match=r"`targets.p.follow_redirects` must be true or false"):
        load_settings(tmp_path)


def test_the_functions_table_is_read_and_checked(tmp_path: Path) -> None:
    from console.settings import FunctionsSettings

    (tmp_path / "console.toml").write_text(
        '[functions]\ncommand = "netlify functions:serve --port {port}"\n'
        'url = "http://localhost:9999"\n'
    )
    assert load_settings(tmp_path).functions == FunctionsSettings(
        "netlify functions:serve --port {port}", "http://localhost:9999"
    )
    (tmp_path / "console.toml").write_text('[functions]\nurl = "ftp://x"\n')
    with pytest.raises(SettingsError, match=r"`functions.url` must be an http"):
        load_settings(tmp_path)
    (tmp_path / "console.toml").write_text("[functions]\nport = 1\n")
    with pytest.raises(SettingsError, match=r"unknown key `functions.port`"):
        load_settings(tmp_path)
    assert load_settings(tmp_path / "none").functions == FunctionsSettings()


def test_the_history_table_is_read_with_defaults_and_ranges(tmp_path: Path) -> None:
    from console.settings import HistorySettings

    assert load_settings(tmp_path).history == HistorySettings()
    assert HistorySettings().max_runs == 5000 and HistorySettings().max_log_lines_per_run == 10000
    (tmp_path / "console.toml").write_text(
        "[history]\nmax_runs = 100\nmax_age_days = 7\nmax_log_lines_per_run = 500\n"
        "max_log_bytes_per_run = 65536\n"
    )
    assert load_settings(tmp_path).history == HistorySettings(100, 7, 500, 65536)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("max_runs = 0", "`history.max_runs` must be a whole number from 1 to 10,000,000"),
        ("max_runs = 1e9", "`history.max_runs` must be a whole number"),
        ("max_runs = true", "`history.max_runs` must be a whole number"),
        ("max_age_days = 100000", "`history.max_age_days` must be a whole number from 1 to"),
        ("max_log_lines_per_run = 5", "`history.max_log_lines_per_run` must be a whole number"),
        ("max_log_bytes_per_run = 'lots'", "`history.max_log_bytes_per_run` must be"),
        ("keep = 3", "unknown key `history.keep`"),
    ],
)
def test_a_bad_history_value_is_one_sentence(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "console.toml").write_text(f"[history]\n{text}\n")
    with pytest.raises(SettingsError, match=message.replace("(", r"\(")) as exc:
        load_settings(tmp_path)
    assert str(tmp_path / "console.toml") in str(exc.value)
