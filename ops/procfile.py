"""The Procfile, read as a host reads it: `name: command` lines, run by a shell with the
environment (PORT, WEB_CONCURRENCY …) and with the virtualenv's `python` and `gunicorn` first on
PATH. Nothing here re-types a command: what the Procfile says is what runs."""

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_LINE = re.compile(r"^([A-Za-z0-9_-]+):\s*(.+)$")


def read(path=ROOT / "Procfile"):
    """{process type: command}, in file order."""
    processes = {}
    for raw in Path(path).read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE.match(line)
        if not match:
            raise ValueError(f"{path}: not a Procfile line: {raw!r}")
        processes[match.group(1)] = match.group(2)
    return processes


def loopback(command):
    """The same command bound to the loopback interface only (a CI machine or a test serves no one
    else): `0.0.0.0:` becomes `127.0.0.1:`. Everything else stays as the Procfile wrote it."""
    return command.replace("0.0.0.0:", "127.0.0.1:")


def argv(command):
    """How a host runs one Procfile command: through a shell, so `${PORT:-8000}` expands from the
    process environment. `exec` makes the shell become the process, so its pid is the server's."""
    return ["/bin/bash", "-c", "exec " + command]


def environ(venv_bin, base=None, **extra):
    """An environment whose PATH finds the virtualenv's interpreter and console scripts first."""
    env = dict(os.environ if base is None else base)
    env["PATH"] = f"{venv_bin}{os.pathsep}{env.get('PATH', '/usr/bin:/bin')}"
    env.update({key: str(value) for key, value in extra.items()})
    return env
