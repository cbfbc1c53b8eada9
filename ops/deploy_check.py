"""Deploy EYOS as a host does, on this machine, and walk a guest through it over HTTP.

Run by `ops/deploy-check` (which makes the virtualenv first) from `.ci/run`. Steps:

1. a fresh PostgreSQL database (unique name, dropped at the end) and a Redis database number of
   its own (flushed before and after);
2. `manage.py check --deploy --fail-level WARNING` with production settings, the TLS switches on and
   the SMTP email backend, as a real host is configured;
3. for plain http on loopback the TLS switches off; the Procfile's `release`, then
   `collectstatic --no-input`; one published event seeded through `manage.py shell -c`;
4. the Procfile's `web` (gunicorn on a free loopback port, PORT) and `worker` as separate
   processes, email written to files in a temporary directory;
5. over HTTP only: a guest opens the event page, registers (CSRF, consent, honeypot left empty),
   receives the opt-in email from the worker, confirms through the link (GET redirects to a
   token-free page, POST its form), receives the confirmation, cancels through the email's cancel
   link the same way and receives the cancellation; the event's feed answers 200 then 304 for its
   ETag; /healthz and /readyz answer 200.

Every step is printed; any failure prints the server and worker logs and exits non-zero; processes
are stopped and the database dropped whatever happens (also on SIGINT/SIGTERM).

Environment: DEPLOY_CHECK_PG (a PostgreSQL URL with rights to create databases, default
postgres://postgres@127.0.0.1:5432/postgres), DEPLOY_CHECK_REDIS (default
redis://127.0.0.1:6379/13).
"""

import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ops import client, procfile, seed  # noqa: E402

VENV_BIN = Path(sys.executable).parent
PG_ADMIN = os.environ.get("DEPLOY_CHECK_PG", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("DEPLOY_CHECK_REDIS", "redis://127.0.0.1:6379/13")
# Variables a developer's shell may carry that would change what is being checked.
SCRUBBED = ("DJANGO_SETTINGS_MODULE", "DJANGO_DEBUG", "DATABASE_URL", "REDIS_URL", "SITE_URL", "PORT",
            "SECRET_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "WEB_CONCURRENCY", "MEDIA_ROOT")

started = time.monotonic()


def step(message):
    print(f"[deploy-check {time.monotonic() - started:6.1f}s] {message}", flush=True)


class Failed(Exception):
    pass


class Deployment:
    def __init__(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="eyos-deploy-check-"))
        self.outbox = self.tmp / "outbox"
        self.runtime = self.tmp / "run"
        self.runtime.mkdir(mode=0o700)
        self.database = f"eyos_deploy_check_{os.getpid()}_{secrets.token_hex(4)}"
        self.processes = {}  # name -> (Popen, log path)
        self.database_created = False
        self.port = client.free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        pg = urllib.parse.urlsplit(PG_ADMIN)
        self.database_url = urllib.parse.urlunsplit(pg._replace(path="/" + self.database))
        base_env = {key: value for key, value in os.environ.items()
                    if key not in SCRUBBED and not key.startswith("EMAIL_")}
        self.secret_key = secrets.token_urlsafe(50)
        self.common = dict(
            DJANGO_SETTINGS_MODULE="eyos.settings.production", SECRET_KEY=self.secret_key,
            ALLOWED_HOSTS="127.0.0.1,localhost", DATABASE_URL=self.database_url, REDIS_URL=REDIS,
            PYTHONUNBUFFERED="1",
        )
        self.base_env = base_env

    # --- environments -------------------------------------------------------------------------

    def env_for_check(self):
        """What a real host has: TLS switches on (the defaults), mail through an SMTP server."""
        return procfile.environ(VENV_BIN, self.base_env, **self.common,
                                SECURE_SSL_REDIRECT="1", SESSION_COOKIE_SECURE="1", CSRF_COOKIE_SECURE="1",
                                EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                                EMAIL_HOST="smtp.example.org", EMAIL_PORT="587", EMAIL_USE_TLS="1",
                                SITE_URL="https://events.example.org")

    def env_for_serving(self, **extra):
        """Plain http on loopback: TLS switches off, mail into files."""
        return procfile.environ(VENV_BIN, self.base_env, **self.common,
                                SECURE_SSL_REDIRECT="0", SESSION_COOKIE_SECURE="0", CSRF_COOKIE_SECURE="0",
                                EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
                                EMAIL_FILE_PATH=str(self.outbox), SITE_URL=self.base, PORT=str(self.port),
                                WEB_CONCURRENCY="2",
                                # gunicorn 27's control socket: ours, not the one other servers of
                                # this user share by default (~/.gunicorn/gunicorn.ctl).
                                XDG_RUNTIME_DIR=str(self.runtime), **extra)

    # --- processes ----------------------------------------------------------------------------

    def run(self, name, argv, env, *, timeout=180, shown=None):
        step(f"{name}: {shown or (' '.join(argv) if argv[0] != '/bin/bash' else argv[-1])}")
        result = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
        if result.returncode:
            print(result.stdout[-4000:], result.stderr[-8000:], sep="\n", file=sys.stderr)
            raise Failed(f"{name} exited with {result.returncode}")
        return result.stdout

    def start(self, name, command, env):
        log = self.tmp / f"{name}.log"
        step(f"start {name}: {command}")
        process = subprocess.Popen(procfile.argv(command), cwd=ROOT, env=env, stdout=log.open("wb"),
                                   stderr=subprocess.STDOUT, start_new_session=True)
        self.processes[name] = (process, log)
        return process

    def stop_all(self):
        for name, (process, _log) in self.processes.items():
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        for name, (process, _log) in self.processes.items():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                step(f"{name} did not stop on SIGTERM; SIGKILL")
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                process.wait(timeout=10)

    def dump_logs(self):
        for name, (process, log) in self.processes.items():
            state = "running" if process.poll() is None else f"exited {process.returncode}"
            print(f"\n===== {name} log ({state}): {log} =====", file=sys.stderr)
            try:
                print(log.read_text(errors="replace")[-12000:], file=sys.stderr)
            except OSError as error:
                print(error, file=sys.stderr)

    def check_alive(self):
        for name, (process, _log) in self.processes.items():
            if process.poll() is not None:
                raise Failed(f"the {name} process exited with {process.returncode}")

    # --- database and cache -------------------------------------------------------------------

    def create_database(self):
        import psycopg

        step(f"create database {self.database} on {urllib.parse.urlsplit(PG_ADMIN).netloc}")
        with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{self.database}"')
        self.database_created = True

    def drop_database(self):
        if not self.database_created:
            return
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        step(f"dropped database {self.database}")

    def flush_redis(self):
        import redis

        redis.Redis.from_url(REDIS, socket_connect_timeout=3).flushdb()

    def cleanup(self):
        self.stop_all()
        for action in (self.drop_database, self.flush_redis):
            try:
                action()
            except Exception as error:  # cleanup carries on; the error is shown
                print(f"cleanup: {action.__name__} failed: {error!r}", file=sys.stderr)
        shutil.rmtree(self.tmp, ignore_errors=True)


def expect(condition, message):
    if not condition:
        raise Failed(message)


def journey(deployment, uid):
    """The guest's registration, confirmation and cancellation, over HTTP only."""
    outbox = client.Outbox(deployment.outbox)
    guest = client.Browser(deployment.base)
    address = f"guest-{secrets.token_hex(4)}@example.org"

    step(f"GET {client.event_path(uid)}")
    page = guest.get(client.event_path(uid))
    expect(page.status == 200, f"event page answered {page.status}")
    expect("Skills workshop 1" in page.text, "event page does not show the event's title")

    step(f"register {address} (form with CSRF token, consent ticked, honeypot empty)")
    _page, answer = client.register(guest, uid, name="Deploy Check Guest", email_address=address, page=page)
    expect(client.told_to_check_email(answer), f"registration answered {answer.status}, not 'Check your email'")

    step("wait for the opt-in email from the worker")
    deployment.check_alive()
    opt_in = outbox.wait_for(lambda m: m.to == address and m.kind == "confirm_request",
                             timeout=60, describe=f"opt-in email to {address}")[0]
    confirm_link = opt_in.link("/registrations/confirm/")
    expect(confirm_link.startswith(deployment.base + "/"), f"confirm link {confirm_link} is not on this server")

    step("follow the confirm link (GET redirects to a token-free page, POST its form)")
    page, answer = client.follow_email_link(guest, confirm_link)
    expect(answer.status == 200 and "Your place is confirmed" in answer.text,
           f"confirming answered {answer.status}: {answer.text[:300]}")

    step("wait for the confirmation email")
    confirmed = outbox.wait_for(lambda m: m.to == address and m.kind == "confirmed",
                                timeout=60, describe=f"confirmation email to {address}")[0]
    cancel_link = confirmed.link("/registrations/cancel/")

    step("follow the cancel link from the confirmation email the same way")
    page, answer = client.follow_email_link(guest, cancel_link)
    expect(answer.status == 200 and "Your registration is cancelled" in answer.text,
           f"cancelling answered {answer.status}")
    outbox.wait_for(lambda m: m.to == address and m.kind == "cancelled", timeout=60,
                    describe=f"cancellation email to {address}")

    mails = [mail for mail in outbox.messages() if mail.to == address]
    kinds = sorted(mail.kind for mail in client.unique(mails))
    expect(kinds == ["cancelled", "confirm_request", "confirmed"], f"the guest received {kinds}")
    step(f"the guest received exactly {kinds}")


def feeds_and_probes(deployment, uid):
    anonymous = client.Browser(deployment.base)
    feed = f"/feeds/events/{uid}.ics"
    step(f"GET {feed}")
    first = anonymous.get(feed)
    expect(first.status == 200 and b"BEGIN:VCALENDAR" in first.body, f"feed answered {first.status}")
    etag = first.header("etag")
    expect(bool(etag), "feed has no ETag")
    second = anonymous.get(feed, headers={"If-None-Match": etag})
    expect(second.status == 304, f"feed with If-None-Match answered {second.status}, not 304")
    step(f"feed: 200, then 304 for If-None-Match {etag}")
    for probe in ("/healthz", "/readyz"):
        answer = anonymous.get(probe)
        expect(answer.status == 200, f"{probe} answered {answer.status}: {answer.text[:200]}")
        step(f"{probe}: 200 {answer.text.strip()[:80]}")


def main():
    deployment = Deployment()

    def interrupted(signum, _frame):
        raise SystemExit(128 + signum)

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, interrupted)

    processes = procfile.read()
    for name in ("release", "web", "worker"):
        if name not in processes:
            print(f"deploy-check: the Procfile has no `{name}` process", file=sys.stderr)
            return 1
    failed = False
    try:
        deployment.create_database()
        deployment.flush_redis()
        python = str(VENV_BIN / "python")

        deployment.run("check --deploy (TLS on, SMTP)",
                       [python, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                       deployment.env_for_check())
        serving = deployment.env_for_serving()
        deployment.run("release", procfile.argv(processes["release"]), serving)
        deployment.run("collectstatic", [python, "manage.py", "collectstatic", "--no-input", "-v", "0"], serving)
        uid = seed.event_uids(deployment.run(
            "seed", [python, "manage.py", "shell", "-c", seed.CODE], serving,
            shown="python manage.py shell -c <ops/seed.py: one organisation, one published event>"))[0]

        web = deployment.start("web", procfile.loopback(processes["web"]), serving)
        deployment.start("worker", processes["worker"], serving)
        client.wait_http(deployment.base + "/healthz", timeout=60, process=web)
        step(f"web answers on {deployment.base}")

        journey(deployment, uid)
        feeds_and_probes(deployment, uid)
        deployment.check_alive()
    except (Failed, client.UnexpectedResponse, subprocess.TimeoutExpired, OSError) as error:
        failed = True
        print(f"\ndeploy-check FAILED: {error}", file=sys.stderr)
        traceback.print_exc()
        deployment.dump_logs()
    except BaseException:
        failed = True
        deployment.dump_logs()
        raise
    finally:
        deployment.cleanup()
    if failed:
        return 1
    step("deployment check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
