"""Faults a host lives through, on EYOS deployed as the Procfile says (production settings, two
gunicorn app servers, one `manage.py db_worker`), each test on its own PostgreSQL cluster and its
own redis-server so that it may restart or stop them (tests/ops/harness.py). Traffic goes over
HTTP to 127.0.0.1 only, bounded in count and time.

a. PostgreSQL restarted twice while guests register: every registration a guest was told about is
   in the database once and got one opt-in email; the worker lives through it.
   Control: django-tasks-db's own worker dies at the restart and opt-in emails go missing.
b. Redis frozen, then gone, for 15 s while guests browse, read feeds and register: no 5xx, /readyz
   503 during the outage and 200 after, one opt-in email per registration.
   Control: Django's plain RedisCache answers 5xx.
c. The worker killed (SIGKILL) in the middle of an email task: a new worker takes the task up after
   EYOS_TASK_STALE_AFTER seconds and every email is sent exactly once.
   Control: without the stale-task timeout the killed task's email never arrives.
"""

import itertools
import os
import queue
import signal
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import pytest

from ops import client

pytestmark = pytest.mark.pg

SEND = "events.tasks.send_registration_email"


# --- traffic ----------------------------------------------------------------------------------------

@dataclass
class Guest:
    email: str
    uid: str
    ip: str
    base: str
    told: float = 0.0  # when the guest was told to check their email (monotonic); 0: never
    page_failures: int = 0  # event page answered 5xx or not at all
    posts: int = 0  # registration forms sent
    unclear: int = 0  # of which answered 5xx or not at all: the app may or may not have acted
    other: list = field(default_factory=list)  # anything else (4xx …): not expected
    failed_at: list = field(default_factory=list)  # when requests failed (monotonic)


def guests(stack, prefix, count):
    uids = stack.event_uids()
    return [Guest(email=f"{prefix}-{i}@example.org", uid=uids[i % len(uids)], ip=f"10.{i // 250}.{i % 250}.7",
                  base=stack.bases[i % 2]) for i in range(count)]


def register_until_told(guest, *, deadline, max_posts=5, pause=1.0):
    """What a person does: open the event page, send the form; after an error page or no answer,
    try again a little later (at most `max_posts` forms: the per-address rate limit is 5 an hour)."""
    browser = client.Browser(guest.base, timeout=10, headers={"X-Forwarded-For": guest.ip})
    while not guest.told and guest.posts < max_posts and time.monotonic() < deadline:
        try:
            page = browser.get(client.event_path(guest.uid))
        except client.TRANSPORT_ERRORS:
            page = None
        if page is None or page.status != 200:
            guest.page_failures += 1
            guest.failed_at.append(time.monotonic())
            time.sleep(pause)
            continue
        guest.posts += 1
        try:
            _page, answer = client.register(browser, guest.uid, name=f"Guest {guest.email}",
                                            email_address=guest.email, page=page)
        except client.TRANSPORT_ERRORS:
            guest.unclear += 1
            guest.failed_at.append(time.monotonic())
            time.sleep(pause)
            continue
        if client.told_to_check_email(answer):
            guest.told = time.monotonic()
        elif answer.status >= 500:
            guest.unclear += 1
            guest.failed_at.append(time.monotonic())
            time.sleep(pause)
        else:
            guest.other.append(answer.status)
            return


def run_guests(people, *, threads=4, spread=10.0, retry_for=25.0):
    """Guests arrive evenly over `spread` seconds, served by `threads` clients in parallel."""
    start = time.monotonic()
    deadline = start + spread + retry_for
    todo = queue.Queue()
    for index, guest in enumerate(people):
        todo.put((start + index * spread / len(people), guest))

    def serve():
        while True:
            try:
                not_before, guest = todo.get_nowait()
            except queue.Empty:
                return
            time.sleep(max(0.0, not_before - time.monotonic()))
            register_until_told(guest, deadline=deadline)

    workers = [threading.Thread(target=serve) for _ in range(threads)]
    for worker in workers:
        worker.start()
    return workers


def join(threads, timeout):
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.1, deadline - time.monotonic()))
    assert not any(thread.is_alive() for thread in threads), "traffic did not finish in time"


def wait_until(predicate, timeout, interval=0.5):
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(interval)


def opt_ins(stack):
    """{recipient: number of distinct opt-in emails} (the same Message-ID twice is one email)."""
    return Counter(mail.to for mail in client.unique(stack.outbox.messages()) if mail.kind == "confirm_request")


def pending_sends(stack):
    return [row for row in stack.tasks() if row[2] == SEND and row[1] in ("READY", "RUNNING")]


def every_told_guest_mailed(stack, people):
    received = opt_ins(stack)
    return all(received[guest.email] >= 1 for guest in people if guest.told) and not pending_sends(stack)


def check_one_registration_and_one_opt_in_each(stack, people):
    told = [guest for guest in people if guest.told]
    rows = stack.registrations([guest.email for guest in people])
    duplicates = {key: count for key, count in rows.items() if count != 1}
    assert not duplicates, f"registrations stored more than once: {duplicates}"
    missing = [guest.email for guest in told if rows.get((guest.email, guest.uid)) != 1]
    assert not missing, f"told 'check your email' but not in the database: {missing}"

    received = opt_ins(stack)
    # A form answered "check your email" at the first try gets one email. A form sent again after
    # an error page or no answer is a second request, which the first may have reached: then the
    # registration exists and the second asks again for a link (services.registration_remind_existing).
    wrong = {guest.email: (received[guest.email], guest.unclear) for guest in told
             if not 1 <= received[guest.email] <= 1 + guest.unclear}
    assert not wrong, f"opt-in emails received (got, unclear attempts) differ from one per request: {wrong}"
    # A task may end FAILED although its email went out: the database went away between the send
    # and the record of it, and the task's retries ran out while the delivery's lease still held
    # (reported). Its email must be in the outbox, with the Message-ID of the task's delivery key.
    sent_ids = {mail.message_id.split("@")[0] for mail in stack.outbox.messages()}
    lost = [row for row in stack.tasks("FAILED") if row[2] == SEND and delivery_message_id(row) not in sent_ids]
    assert not lost, f"email tasks failed for good and their email never went out: {lost}"
    return received


def delivery_message_id(task_row):
    """The local part of the Message-ID events/delivery.py gives the email of this task."""
    from events.delivery import message_id

    key = f"{task_row[0]}:registration:{task_row[3]['kwargs']['registration_id']}"
    return message_id(key).split("@")[0]


def failed_sends(stack):
    return [row for row in stack.tasks("FAILED") if row[2] == SEND]


# --- a. PostgreSQL restarts -------------------------------------------------------------------------

def probes(bases):
    answers = []
    for base in bases:
        for path in ("/healthz", "/readyz"):
            try:
                answers.append((path, client.Browser(base, timeout=5).get(path).status))
            except client.TRANSPORT_ERRORS as error:
                answers.append((path, type(error).__name__))
    return answers


# What a worker writes when it meets the outage: waiting for the database, or a task interrupted.
OUTAGE_MARKS = ("Database unavailable", "the database is unavailable", "OperationalError", "InterfaceError")


def worker_met_outage(worker_log, since=0):
    try:
        text = worker_log.read_text(errors="replace")[since:]
    except OSError:
        return False
    return any(mark in text for mark in OUTAGE_MARKS)


def restart_postgres_twice(cluster, log, bases, worker_log):
    """A restart with the server gone for at least 2 s (the probes asked meanwhile) and until the
    worker has met the outage (at most 15 s: an idle worker might otherwise sleep through it), then
    a quick `pg_ctl restart -m fast`."""
    time.sleep(2.0)
    log.append(("stop", time.monotonic()))
    offset = worker_log.stat().st_size if worker_log.exists() else 0
    cluster.stop("fast")
    started = time.monotonic()
    log.append(("probes while stopped", probes(bases)))
    time.sleep(max(0.0, started + 2.0 - time.monotonic()))
    wait_until(lambda: worker_met_outage(worker_log, offset), timeout=13, interval=0.1)
    cluster.start()
    log.append(("started", time.monotonic()))
    time.sleep(3.0)
    log.append(("restart", time.monotonic()))
    cluster.restart()
    log.append(("restarted", time.monotonic()))


def worker_at_work(stack, worker):
    """The worker has run the tasks the seeding queued (search index): it is up and polling."""
    def done():
        assert worker.poll() is None, "the worker exited before the test began"
        return all(row[1] == "SUCCESSFUL" for row in stack.tasks() if row[2].startswith("modelsearch."))

    assert wait_until(done, timeout=30, interval=0.2), "the worker did not start working"


def warm_up(stack):
    """Every app server's workers have loaded the site (a first request takes a second)."""
    uid = stack.event_uids()[0]
    for base in stack.bases:
        browser = client.Browser(base)
        for _ in range(4):
            assert browser.get(client.event_path(uid)).status == 200


def storm_with_postgres_restarts(stack, worker, prefix, worker_log):
    warm_up(stack)
    worker_at_work(stack, worker)
    people = guests(stack, prefix, 60)
    faults = []
    fault = threading.Thread(target=restart_postgres_twice,
                             args=(stack.cluster, faults, stack.bases, stack.home / worker_log))
    traffic = run_guests(people)
    fault.start()
    join([*traffic, fault], timeout=90)
    return people, faults


def test_postgres_restart_during_registrations_loses_and_duplicates_nothing(make_stack):
    stack = make_stack()
    stack.start_web()
    # The default EYOS_TASK_STALE_AFTER (300 s): a task the outage interrupted runs again because
    # its own worker records what it could not while the database was gone, not because it is stale.
    worker = stack.start_worker()
    people, faults = storm_with_postgres_restarts(stack, worker, "pg-restart", "worker.log")

    told = [guest for guest in people if guest.told]
    felt = sum(guest.unclear + guest.page_failures for guest in people)
    assert felt > 0, "no request failed during the restarts: the fault did not meet the traffic"
    assert not [guest.other for guest in people if guest.other], "unexpected answers (4xx)"
    assert len(told) >= 0.9 * len(people), f"only {len(told)} of {len(people)} guests got through"
    # The app servers are back at once: failures only while PostgreSQL is down or restarting.
    marks = dict(faults)
    # Liveness without the database, readiness says it is missing.
    assert sorted(set(marks["probes while stopped"])) == [("/healthz", 200), ("/readyz", 503)], marks
    late = [t - marks["restarted"] for g in people for t in g.failed_at if t > marks["restarted"] + 2.0]
    between = [t - marks["started"] for g in people for t in g.failed_at
               if marks["started"] + 2.0 < t < marks["restart"]]
    assert not late and not between, f"requests failed after PostgreSQL was back (s after): {late or between}"

    assert wait_until(lambda: every_told_guest_mailed(stack, people), timeout=90), (
        f"opt-in emails missing after 90 s: {[g.email for g in told if not opt_ins(stack)[g.email]]}")
    assert worker.poll() is None, "the worker died"
    assert worker_met_outage(stack.home / "worker.log"), "the worker never met the outage"
    received = check_one_registration_and_one_opt_in_each(stack, people)
    print(f"\n[a] {len(told)}/{len(people)} told; {felt} requests failed during the restarts; "
          f"{sum(1 for g in people if g.unclear)} guests sent the form again after an unclear answer, "
          f"{sum(1 for g in told if received[g.email] > 1)} of them got a second link; "
          f"{len(failed_sends(stack))} email tasks FAILED after sending; "
          f"probes while stopped {sorted(set(marks['probes while stopped']))}")


def test_control_the_stock_worker_does_not_live_through_a_postgres_restart(make_stack):
    stack = make_stack()
    stack.start_web()
    worker = stack.start_stock_worker()
    people, _faults = storm_with_postgres_restarts(stack, worker, "pg-control", "stock-worker.log")

    mailed = wait_until(lambda: every_told_guest_mailed(stack, people), timeout=10)
    died = worker.poll() is not None
    missing = [guest.email for guest in people if guest.told and not opt_ins(stack)[guest.email]]
    # The failure the real test guards against happens: the worker dies, mail is missing.
    assert died and not mailed and missing, (died, mailed, missing)
    assert "OperationalError" in (stack.home / "stock-worker.log").read_text()
    stopped = dict(_faults)["stop"]
    print(f"\n[a control] stock worker exited with {worker.returncode} (OperationalError); {len(missing)} of "
          f"{sum(1 for g in people if g.told)} told guests never got their opt-in email "
          f"({sum(1 for g in people if g.told and g.told < stopped)} registered before the first restart)")


def test_a_task_interrupted_by_a_database_outage_runs_again_once_the_database_is_back(make_stack):
    stack = make_stack()
    stack.start_web()
    people = guests(stack, "interrupted", 6)
    join(run_guests(people, threads=2, spread=1.0, retry_for=10.0), timeout=60)
    assert all(guest.told for guest in people)
    worker = stack.start_worker()  # the default EYOS_TASK_STALE_AFTER
    task = freeze_worker_mid_email(stack, worker)
    stack.cluster.stop("fast")  # the database goes away in the middle of the task …
    os.killpg(worker.pid, signal.SIGCONT)
    time.sleep(2.0)
    stack.cluster.start()  # … and is back 2 s later
    back = time.monotonic()
    # The worker is back within 1 s (its first retry); a task put back in the queue would run then.
    mailed = wait_until(lambda: every_told_guest_mailed(stack, people), timeout=12)
    log = (stack.home / "worker.log").read_text()
    assert worker.poll() is None and "Database reachable again" in log
    assert mailed, (f"task {task[0]} still {[r[1] for r in stack.tasks() if r[0] == task[0]]} "
                    f"{time.monotonic() - back:.0f} s after the database came back; worker log: "
                    f"{[line for line in log.splitlines() if str(task[0]) in line]}")


# --- b. Redis outage --------------------------------------------------------------------------------

@dataclass
class Outage:
    frozen: float = 7.0  # SIGSTOP: connections hang until the client's timeout
    gone: float = 8.0  # killed: connections refused; then a fresh, empty Redis on the same port
    before: float = 3.0
    after: float = 7.0
    marks: dict = field(default_factory=dict)

    def run(self, redis):
        time.sleep(self.before)
        self.marks["down"] = time.monotonic()
        if self.frozen:
            redis.freeze()
            time.sleep(self.frozen)
        redis.kill()
        time.sleep(self.gone)
        self.marks["restarting"] = time.monotonic()
        redis.start()
        self.marks["up"] = time.monotonic()
        time.sleep(self.after)
        self.marks["end"] = time.monotonic()


def browse(stack, *, stop, results, index, people):
    """One visitor after another: the list (with filters), an event page, three feeds, and a
    registration every few requests."""
    uids = stack.event_uids()
    base = stack.bases[index % 2]
    paths = itertools.cycle([
        "/en/events/", "/en/events/?country=FR", f"/en/events/{uids[0]}/", "/feeds/events.ics",
        f"/feeds/events/{uids[1]}.ics", "/feeds/countries/fr.ics", "REGISTER", "/fr/events/", "/",
    ])
    counter = itertools.count()
    browser = client.Browser(base, timeout=10, headers={"X-Forwarded-For": f"10.9.{index}.1"})
    while not stop.is_set():
        path = next(paths)
        started = time.monotonic()
        if path == "REGISTER":  # a new guest each time, one try
            n = next(counter)
            guest = Guest(email=f"browse-{index}-{n}@example.org", uid=uids[n % len(uids)],
                          ip=f"10.8.{index}.{n % 250}", base=base)
            people.append(guest)
            try:
                _page, answer = client.register(client.Browser(base, timeout=10, headers={"X-Forwarded-For": guest.ip}),
                                                guest.uid, name="Browsing guest", email_address=guest.email)
                guest.told = time.monotonic() if client.told_to_check_email(answer) else 0.0
                status = answer.status if guest.told or answer.status != 200 else "200 without 'Check your email'"
            except client.TRANSPORT_ERRORS as error:
                status = type(error).__name__
        else:
            try:
                status = browser.get(path, follow=False).status
            except client.TRANSPORT_ERRORS as error:
                status = type(error).__name__
        results.append((started, path, status, time.monotonic() - started))


def probe_readyz(stack, *, stop, samples):
    while not stop.is_set():
        for base in stack.bases:
            started = time.monotonic()
            try:
                status = client.Browser(base, timeout=10).get("/readyz").status
            except client.TRANSPORT_ERRORS as error:
                status = type(error).__name__
            samples.append((started, time.monotonic(), status))
        time.sleep(0.4)


def redis_outage_under_traffic(stack, outage, visitors=3):
    stop = threading.Event()
    results, samples, people = [], [], []
    threads = [threading.Thread(target=browse, kwargs=dict(stack=stack, stop=stop, results=results, index=i,
                                                           people=people)) for i in range(visitors)]
    threads.append(threading.Thread(target=probe_readyz, kwargs=dict(stack=stack, stop=stop, samples=samples)))
    for thread in threads:
        thread.start()
    try:
        outage.run(stack.redis)
    finally:
        stop.set()
        join(threads, timeout=30)
    return results, samples, people


def test_redis_outage_degrades_without_errors(make_stack):
    stack = make_stack()
    stack.start_web()
    worker = stack.start_worker()
    outage = Outage()
    results, samples, people = redis_outage_under_traffic(stack, outage)

    down, up = outage.marks["down"], outage.marks["up"]
    during = [r for r in results if down <= r[0] <= up]
    assert len(during) >= 20, f"too little traffic during the outage ({len(during)} requests)"
    bad = [r for r in results if r[2] not in (200, 302, 304)]
    assert not bad, f"answers other than 200/302/304: {bad[:20]}"
    slowest = max(r[3] for r in results)
    assert slowest < 8, f"a request took {slowest:.1f} s"

    # /readyz: 503 from a second into the outage until Redis is back; 200 again soon after.
    inside = [s for s in samples if down + 1.0 <= s[0] and s[1] <= outage.marks["restarting"]]
    assert inside and all(s[2] == 503 for s in inside), f"/readyz during the outage: {Counter(s[2] for s in inside)}"
    assert [s for s in samples if s[0] < down] and all(s[2] == 200 for s in samples if s[1] < down)
    last = [s[2] for s in samples if s[0] > up + 6.0]
    assert last and all(status == 200 for status in last), f"/readyz after Redis came back: {Counter(last)}"

    assert wait_until(lambda: every_told_guest_mailed(stack, people), timeout=60), "opt-in emails missing"
    received = check_one_registration_and_one_opt_in_each(stack, people)
    assert all(received[guest.email] == 1 for guest in people if guest.told)
    assert worker.poll() is None, "the worker died"
    registered_during = sum(1 for guest in people if guest.told)
    print(f"\n[b] {len(results)} requests ({len(during)} during the outage), slowest {slowest:.2f} s, "
          f"{registered_during} registrations, /readyz {dict(Counter(s[2] for s in inside))} during, "
          f"{dict(Counter(last))} after")


def test_control_plain_redis_cache_fails_when_redis_is_down(make_stack):
    stack = make_stack(settings="tests.ops.settings_plain_redis")
    stack.start_web()
    outage = Outage(frozen=0, gone=6.0, before=2.0, after=1.0)
    results, _samples, _people = redis_outage_under_traffic(stack, outage)

    during = [r for r in results if outage.marks["down"] <= r[0] <= outage.marks["up"]]
    errors = [r for r in during if not isinstance(r[2], int) or r[2] >= 500]
    assert errors, f"Django's RedisCache served every request with Redis down: {Counter(r[2] for r in during)}"
    print(f"\n[b control] {len(errors)} of {len(during)} requests failed during the outage")


# --- c. worker killed -------------------------------------------------------------------------------

def freeze_worker_mid_email(stack, worker, timeout=30):
    """Wait for an email task RUNNING, freeze the worker (SIGSTOP) so nothing moves, and make sure
    the task is still RUNNING and its email not yet claimed (the claimed-but-unsent window is
    covered by the delivery lease, events/delivery.py). Returns the task's row; the worker stays
    frozen."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        running = [row for row in stack.tasks("RUNNING") if row[2] == SEND]
        if not running:
            time.sleep(0.005)
            continue
        os.killpg(worker.pid, signal.SIGSTOP)
        task_id = running[0][0]
        still = [row for row in stack.tasks("RUNNING") if row[0] == task_id]
        claimed = stack.cluster.query("SELECT 1 FROM events_emaildelivery WHERE key LIKE %s AND claimed_at IS NOT NULL",
                                      [f"{task_id}:%"])
        if still and not claimed:
            return still[0]
        os.killpg(worker.pid, signal.SIGCONT)
    raise AssertionError("never caught the worker in the middle of an email task")


def kill_worker_mid_email(stack, worker):
    task = freeze_worker_mid_email(stack, worker)
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)
    return task


def queue_then_kill(stack, prefix, count=30):
    """Guests register while no worker runs (their opt-in emails wait in the queue), then the
    worker starts and is killed in the middle of one of them."""
    people = guests(stack, prefix, count)
    join(run_guests(people, threads=4, spread=2.0, retry_for=10.0), timeout=60)
    assert all(guest.told for guest in people), [guest.other for guest in people if not guest.told]
    worker = stack.start_worker("worker-killed")
    killed = kill_worker_mid_email(stack, worker)
    recipient = stack.cluster.query("SELECT email FROM events_registration WHERE id = %s",
                                    [killed[3]["kwargs"]["registration_id"]])[0][0]
    return people, killed, recipient


def test_killed_worker_task_is_taken_up_and_every_email_sent_once(make_stack):
    stack = make_stack()
    stack.start_web()
    people, killed, recipient = queue_then_kill(stack, "killed")
    assert opt_ins(stack)[recipient] == 0  # killed before its email went out
    worker = stack.start_worker("worker-new", EYOS_TASK_STALE_AFTER="5")

    assert wait_until(lambda: every_told_guest_mailed(stack, people), timeout=60), (
        f"opt-in emails missing: {[g.email for g in people if not opt_ins(stack)[g.email]]}")
    received = opt_ins(stack)
    assert {guest.email: received[guest.email] for guest in people} == {guest.email: 1 for guest in people}
    copies = Counter(mail.message_id for mail in stack.outbox.messages() if mail.kind == "confirm_request")
    assert set(copies.values()) == {1}, "an email was written twice (same Message-ID)"
    assert [row[1] for row in stack.tasks() if row[0] == killed[0]] == ["SUCCESSFUL"]
    assert worker.poll() is None
    assert "left running by a stopped worker" in (stack.home / "worker-new.log").read_text()
    print(f"\n[c] killed in task {killed[0]} (email to {recipient}); the new worker took it up; "
          f"{len(people)} emails, each once")


def test_control_without_the_stale_timeout_the_killed_task_mail_never_arrives(make_stack):
    stack = make_stack()
    stack.start_web()
    people, killed, recipient = queue_then_kill(stack, "killed-control")
    killed_at = time.monotonic()
    stack.start_worker("worker-new", EYOS_TASK_STALE_AFTER="3600")

    others = [guest for guest in people if guest.email != recipient]
    assert wait_until(lambda: all(opt_ins(stack)[guest.email] == 1 for guest in others), timeout=60)
    # Long after the new worker would have taken the task up with the real test's timeout (5 s).
    time.sleep(max(0.0, killed_at + 15 - time.monotonic()))
    assert opt_ins(stack)[recipient] == 0, "the killed task's email arrived without the stale-task timeout"
    assert [row[1] for row in stack.tasks() if row[0] == killed[0]] == ["RUNNING"]
    print(f"\n[c control] task {killed[0]} stays RUNNING; {recipient} never got the email")
