"""Processes for the fault tests: a private PostgreSQL cluster and a private redis-server per test
(so a test may restart or stop them without touching the machine's shared services), and EYOS run
as a host runs it from the Procfile: gunicorn app servers and a task worker, production settings,
email written to files.

PostgreSQL is initialised and migrated once per session (`template_cluster`); each test gets a
copy of that stopped cluster's data directory, started on a free port. initdb and postgres refuse
to run as root, so they run as the `postgres` user when the tests run as root.
"""

import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

from ops import client, procfile, seed

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
EVENTS = 3  # published events in the template database, open for registration


def pg_bin():
    """The newest PostgreSQL server binaries installed (Debian keeps them off PATH)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise RuntimeError("PostgreSQL server binaries (initdb, pg_ctl) not found; .ci/run installs them")


def as_postgres(argv):
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


def private_dir(prefix):
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o755)
    return path


def chown_postgres(path):
    if os.geteuid() == 0:
        subprocess.run(["chown", "-R", "postgres:postgres", str(path)], check=True)


class PgCluster:
    """One PostgreSQL cluster of our own: data directory, socket directory and log in `home`."""

    def __init__(self, home, port=None):
        self.home = Path(home)
        self.data = self.home / "data"
        self.log = self.home / "postgres.log"
        self.port = port or client.free_port()
        self.bin = pg_bin()

    @classmethod
    def initdb(cls, home):
        cluster = cls(home)
        chown_postgres(cluster.home)
        subprocess.run(as_postgres([str(cluster.bin / "initdb"), "-D", str(cluster.data), "-U", "postgres",
                                    "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]),
                       check=True, capture_output=True)
        return cluster

    def copy(self, home):
        """A new cluster from this one's (stopped) data directory."""
        other = PgCluster(home)
        chown_postgres(other.home)
        subprocess.run(as_postgres(["cp", "-a", str(self.data), str(other.data)]), check=True)
        return other

    def pg_ctl(self, *args, check=True):
        options = (f"-p {self.port} -k {self.home} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60")
        argv = [str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options, *args]
        return subprocess.run(as_postgres(argv), check=check, capture_output=True, text=True, timeout=60)

    def start(self):
        self.pg_ctl("start", "-w", "-t", "30")

    def stop(self, mode="fast"):
        self.pg_ctl("stop", "-m", mode, "-w", "-t", "30", check=False)

    def restart(self):
        self.pg_ctl("restart", "-m", "fast", "-w", "-t", "30")

    def url(self, database="eyos"):
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def query(self, sql, params=None):
        with psycopg.connect(self.url(), autocommit=True, connect_timeout=5) as connection:
            return connection.execute(sql, params).fetchall()

    def log_tail(self, chars=4000):
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


class RedisServer:
    """A redis-server of our own, without persistence, that a test may freeze, kill and start again
    on the same port."""

    def __init__(self, home):
        self.home = Path(home)
        self.port = client.free_port()
        self.process = None
        self.log = self.home / "redis.log"

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.home), "--protected-mode", "no"],
            stdout=self.log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.ping():
                return
            time.sleep(0.05)
        raise RuntimeError(f"redis-server on port {self.port} did not start")

    def ping(self):
        import redis

        try:
            return redis.Redis(port=self.port, socket_connect_timeout=0.3, socket_timeout=0.3).ping()
        except redis.exceptions.RedisError:
            return False

    def freeze(self):
        self.process.send_signal(signal.SIGSTOP)

    def kill(self):
        """Gone for good (connections refused from now on); `start` brings up an empty one."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def url(self, db=0):
        return f"redis://127.0.0.1:{self.port}/{db}"


class Stack:
    """EYOS from the Procfile: `web` servers (gunicorn, eyos/gunicorn_conf.py) on free loopback
    ports and `worker` processes, all with production settings, one database and one Redis."""

    def __init__(self, home, cluster, redis, *, settings="eyos.settings.production", **env):
        self.home = Path(home)
        self.cluster = cluster
        self.redis = redis
        self.outbox = client.Outbox(self.home / "outbox")
        self.processes = []  # (name, Popen, log)
        self.commands = procfile.read()
        self.ports = [client.free_port(), client.free_port()]
        self.bases = [f"http://127.0.0.1:{port}" for port in self.ports]
        self.env = procfile.environ(
            VENV_BIN, {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "EMAIL_", "EYOS_"))},
            DJANGO_SETTINGS_MODULE=settings, SECRET_KEY="fault-test-" + "k" * 50, ALLOWED_HOSTS="127.0.0.1",
            DATABASE_URL=cluster.url(), REDIS_URL=redis.url(),
            SECURE_SSL_REDIRECT="0", SESSION_COOKIE_SECURE="0", CSRF_COOKIE_SECURE="0",
            EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend", EMAIL_FILE_PATH=str(self.outbox.path),
            SITE_URL=self.bases[0], WEB_CONCURRENCY="2", PYTHONUNBUFFERED="1",
            # Guests come through one load balancer that appends their address to X-Forwarded-For:
            # rate limits count each guest, not the test's single loopback address.
            EYOS_TRUSTED_PROXIES="1",
            # Retries after a transient failure in seconds, not minutes, to fit the test's time.
            EYOS_TASK_RETRY_BASE="1", EYOS_TASK_RETRY_CAP="4",
            **env,
        )

    def _spawn(self, name, argv, env):
        log = self.home / f"{name}.log"
        # Each gunicorn master gets its own runtime directory: gunicorn 27's control socket
        # defaults to one path per user ($XDG_RUNTIME_DIR or ~/.gunicorn/gunicorn.ctl).
        runtime = self.home / f"run-{name}"
        runtime.mkdir(exist_ok=True, mode=0o700)
        process = subprocess.Popen(argv, cwd=ROOT, env={**env, "XDG_RUNTIME_DIR": str(runtime)},
                                   stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True)
        self.processes.append((name, process, log))
        return process

    def start_web(self, count=2):
        command = procfile.loopback(self.commands["web"])
        servers = [self._spawn(f"web{i}", procfile.argv(command), {**self.env, "PORT": str(self.ports[i])})
                   for i in range(count)]
        for base, process in zip(self.bases, servers):
            client.wait_http(base + "/healthz", timeout=60, process=process)
        return servers

    def start_worker(self, name="worker", **env):
        """The Procfile's `worker`: EYOS's `manage.py db_worker`."""
        return self._spawn(name, procfile.argv(self.commands["worker"]), {**self.env, **env})

    def start_stock_worker(self, name="stock-worker", **env):
        """django-tasks-db's own worker, as it runs without EYOS's override (the negative control)."""
        code = ("import django; django.setup(); from django.core.management import call_command; "
                "from django_tasks_db.management.commands.db_worker import Command; "
                "call_command(Command(), verbosity=1)")
        return self._spawn(name, [str(VENV_BIN / "python"), "-c", code], {**self.env, **env})

    def kill(self):
        """The end of a test: nothing to shut down gracefully."""
        for _name, process, _log in self.processes:
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            process.wait(timeout=10)

    def logs(self, chars=6000):
        parts = []
        for name, process, log in self.processes:
            state = "running" if process.poll() is None else f"exited {process.returncode}"
            try:
                text = log.read_text(errors="replace")[-chars:]
            except OSError as error:
                text = repr(error)
            parts.append(f"===== {name} ({state}) {log} =====\n{text}")
        parts.append(f"===== postgres {self.cluster.log} =====\n{self.cluster.log_tail()}")
        return "\n".join(parts)

    # --- what the database says ---------------------------------------------------------------

    def event_uids(self):
        return [str(row[0]) for row in self.cluster.query(
            "SELECT uid FROM events_event WHERE status = 'published' ORDER BY start")]

    def registrations(self, emails):
        """{(email, event uid): number of rows}, over every status."""
        rows = self.cluster.query(
            "SELECT r.email, e.uid, count(*) FROM events_registration r JOIN events_event e ON e.id = r.event_id "
            "WHERE r.email = ANY(%s) GROUP BY r.email, e.uid", [list(emails)])
        return {(email, str(uid)): count for email, uid, count in rows}

    def tasks(self, status=None):
        sql = "SELECT id, status, task_path, args_kwargs FROM django_tasks_database_dbtaskresult"
        if status:
            return self.cluster.query(sql + " WHERE status = %s", [status])
        return self.cluster.query(sql)


def static_root(template_home):
    """The template's collected static files, shared by every stack made from it."""
    return Path(template_home) / "static"


def make_template(home):
    """initdb, create `eyos`, migrate it with production settings, seed published events; stopped."""
    cluster = PgCluster.initdb(home)
    cluster.start()
    try:
        with psycopg.connect(cluster.url("postgres"), autocommit=True) as connection:
            connection.execute("CREATE DATABASE eyos")
        env = procfile.environ(
            VENV_BIN, {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "EYOS_"))},
            DJANGO_SETTINGS_MODULE="eyos.settings.production", SECRET_KEY="fault-test-" + "k" * 50,
            ALLOWED_HOSTS="127.0.0.1", DATABASE_URL=cluster.url(), REDIS_URL="", EYOS_SEED_EVENTS=str(EVENTS))
        commands = procfile.read()
        # A host builds the static files before `release` (collectstatic); the manifest storage
        # answers 500 for a page whose static file has no manifest entry.
        env["STATIC_ROOT"] = str(static_root(home))
        for argv in ([str(VENV_BIN / "python"), "manage.py", "collectstatic", "--no-input", "-v", "0"],
                     procfile.argv(commands["release"]),
                     [str(VENV_BIN / "python"), "manage.py", "shell", "-c", seed.CODE]):
            result = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
            if result.returncode:
                raise RuntimeError(f"{argv[-1][:60]} failed:\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}")
    finally:
        cluster.stop()
    cluster.static_root = static_root(home)
    return cluster
