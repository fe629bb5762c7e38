"""The one exception root, with a subclass per area; the CLI and the app show them as one sentence.

ConsoleError
 ├── UsageError          a command line that cannot be carried out (exit 2)
 │    └── RefusedError   the console will not send this request (production unconfirmed, ...)
 ├── NotAProjectError    the folder is missing or holds no routes and no functions (exit 2)
 │    └── NotASiteError  a monorepo root: the sites are in folders below it
 ├── SettingsError       console.toml is unreadable or invalid
 ├── CronError           a schedule string the platform would reject
 ├── HistoryError        the history store cannot be opened or written
 └── DevServerError      the dev server could not be started or stopped
"""

from __future__ import annotations


class ConsoleError(Exception):
    """Root of every error the console raises on purpose; str() is one clear sentence."""

    exit_code = 1


class UsageError(ConsoleError):
    exit_code = 2


class RefusedError(UsageError):
    pass


class NotAProjectError(ConsoleError):
    exit_code = 2


class NotASiteError(NotAProjectError):
    """A folder that is not a site but holds sites below it (`sites`, relative, with `/`)."""

    def __init__(self, folder: str, sites: tuple[str, ...], command: str = "routes") -> None:
        self.folder = folder
        self.sites = sites
        shown = ", ".join(sites[:8]) + (", …" if len(sites) > 8 else "")
        super().__init__(
            f"{folder} is not a site; sites here: {shown} — run `console {command} "
            f"{_join(folder, sites[0])}`"
        )

    def for_command(self, command: str) -> NotASiteError:
        return NotASiteError(self.folder, self.sites, command)


def _join(folder: str, site: str) -> str:
    return site if folder in (".", "") else f"{folder.rstrip('/')}/{site}"


class SettingsError(ConsoleError):
    exit_code = 2


class CronError(ConsoleError):
    """A cron string the platform rejects. `field` names the offending field when there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class HistoryError(ConsoleError):
    pass


class DevServerError(ConsoleError):
    pass
