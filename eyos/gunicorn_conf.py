# gunicorn settings (Procfile, `make serve`): access lines without personal data, see eyos/logging.py.
import os

accesslog = "-"
logger_class = "eyos.logging.GunicornLogger"
access_log_format = '%(t)s "%(r)s" %(s)s %(b)s %(L)ss'

# gunicorn 27's control socket defaults to one path per user ($XDG_RUNTIME_DIR or
# ~/.gunicorn/gunicorn.ctl): a second server on the same host (two app servers, a blue/green
# deploy, `make serve` next to a test) takes it over from the first. Off unless a path is given.
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True
