"""Django's PostgreSQL backend with a health check that makes no round trip while the connection
is quiet.

With `CONN_HEALTH_CHECKS` (eyos/settings/base.py: a web worker must survive a restart of
PostgreSQL, see tests/ops/test_faults.py), Django sends `SELECT 1` before the first query of every
request that reuses a connection: a round trip to the server, ~10% of an event page's time when it
is drawn after a change (README, "Benchmarks"). A server that ends a connection (a restart, a
`pg_terminate_backend`, a crash) sends its last message and closes the socket, so a socket with
nothing to read on an idle connection is one the server still holds. This backend asks the
operating system (`poll`, no wait) and skips `SELECT 1` when there is nothing to read on a
connection that is idle and was used in the last TRUST_QUIET_SECONDS; otherwise (something to
read, not idle, used longer ago, or it cannot tell) it is Django's check, unchanged.

A server that vanishes without a word within those seconds (its host crashed, a failover moved
its address) is met by the request's first query, which fails as it would have without health
checks (Django then closes the connection); one that vanished longer ago is met by `SELECT 1`.
Over TLS, bytes OpenSSL has already read are not seen by `poll`: the same worst case."""

import select
import time

from django.db.backends.postgresql import base
from psycopg import pq

__all__ = ["DatabaseWrapper"]

# A quiet socket is trusted only on a connection used this recently. A server that vanishes
# without closing the connection (its host crashed, a failover moved its address, a NAT dropped the
# idle flow) leaves the socket quiet; Django's `SELECT 1` would meet the reset and reconnect before
# the request's query. Under load (when the round trip counts) connections are used without pause.
TRUST_QUIET_SECONDS = 2.0


class DatabaseWrapper(base.DatabaseWrapper):
    used_at = None  # when a cursor was last made on the current connection (time.monotonic)

    def is_usable(self):
        if (self.connection is not None and self.used_at is not None
                and time.monotonic() - self.used_at < TRUST_QUIET_SECONDS and quiet(self.connection)):
            return True
        return super().is_usable()

    def create_cursor(self, name=None):
        self.used_at = time.monotonic()
        return super().create_cursor(name)

    def connect(self):
        self.used_at = None
        super().connect()


def quiet(connection):
    """True when `connection` (psycopg) is open, idle outside a transaction and its socket has
    nothing to read: no error, no notice, no end of file from the server."""
    try:
        if connection.closed or connection.broken:
            return False
        if connection.pgconn.transaction_status != pq.TransactionStatus.IDLE:
            return False
        poller = select.poll()
        poller.register(connection.pgconn.socket, select.POLLIN | select.POLLPRI)
        return not poller.poll(0)
    except Exception:  # noqa: BLE001 - any doubt: Django's own check decides
        return False
