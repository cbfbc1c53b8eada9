import os
import shutil
import tempfile
from pathlib import Path

import pytest

from .harness import PgCluster, RedisServer, Stack, make_template, private_dir


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def template_cluster():
    """A migrated, seeded, stopped PostgreSQL cluster that each test copies."""
    home = private_dir("eyos-pg-template-")
    try:
        yield make_template(home)
    finally:
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def make_stack(template_cluster, request):
    """make_stack(settings=…, **env) -> a Stack on its own copy of the cluster and its own Redis,
    both started; web servers and workers are started by the test. Everything is stopped and
    removed afterwards; the logs are printed when the test failed."""
    made = []

    def make(**kwargs):
        home = Path(tempfile.mkdtemp(prefix="eyos-fault-"))
        home.chmod(0o755)
        cluster = template_cluster.copy(private_dir("eyos-pg-"))
        cluster.start()
        redis = RedisServer(home)
        redis.start()
        stack = Stack(home, cluster, redis, **{"STATIC_ROOT": str(template_cluster.static_root), **kwargs})
        made.append(stack)
        return stack

    yield make
    failed = any(getattr(getattr(request.node, f"report_{when}", None), "failed", False)
                 for when in ("setup", "call"))
    keep = os.environ.get("EYOS_OPS_KEEP")  # keep logs and outboxes to read them afterwards
    for stack in made:
        if failed:
            print(f"\n{stack.logs()}")
        stack.kill()
        stack.redis.kill()
        stack.cluster.stop("immediate")
        if keep:
            print(f"\nkept {stack.home} and {stack.cluster.home}")
            continue
        shutil.rmtree(stack.cluster.home, ignore_errors=True)
        shutil.rmtree(stack.home, ignore_errors=True)
