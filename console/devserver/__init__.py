"""The processes the console runs: the dev server under its guard, line reading, attribution."""

from console.devserver.state import DevServerChanged, DevState
from console.devserver.supervisor import DevServer

__all__ = ["DevServer", "DevServerChanged", "DevState"]
