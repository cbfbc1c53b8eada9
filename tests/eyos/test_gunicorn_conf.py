"""eyos/gunicorn_conf.py as gunicorn reads it (the Procfile's `web`)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

READ = (
    "from gunicorn.app.wsgiapp import WSGIApplication\n"
    "import sys\n"
    "sys.argv = ['gunicorn', '-c', 'eyos/gunicorn_conf.py', 'eyos.wsgi']\n"
    "app = WSGIApplication()\n"
    "print(app.cfg.control_socket_disable, app.cfg.control_socket)\n"
)


def read_config(**env):
    result = subprocess.run([sys.executable, "-c", READ], cwd=ROOT, capture_output=True, text=True, check=True,
                            env={"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", **env})
    return result.stdout.split()


def test_no_shared_control_socket_by_default():
    """gunicorn 27 puts its control socket at one path per user: two app servers on one host
    would take it from each other. It is off unless a path is configured."""
    disabled, _path = read_config()
    assert disabled == "True"


def test_a_configured_control_socket_is_used():
    disabled, path = read_config(GUNICORN_CONTROL_SOCKET="/run/eyos/web1.ctl")
    assert (disabled, path) == ("False", "/run/eyos/web1.ctl")

