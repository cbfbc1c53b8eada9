"""Django's PostgreSQL backend with a health check that makes no round trip while the connection
is quiet.

With `CONN_HEALTH_CHECKS` (eyos/settings/base.py: a web worker must survive a restart of
PostgreSQL, see tests/ops/test_faults.py), Django sends `SELECT 1` before the first query of every
request that reuses a connection: a round trip to the server, ~10% of an event page's time when it
is drawn after a change (README, "Benchmarks"). A server that ends a connection (a restart, a
`pg_terminate_backend`, a crash) sends its last message and closes the socket, so a socket with
nothing to read on an idle connection is one the server still holds. This backend asks the
operating system (`poll`, no wait) and sends `SELECT 1` only when there is something to read, when
the connection is not idle or when it cannot tell: then it is Django's check, unchanged.

A server that vanishes without a word (a network partition) is not seen by either check before a
query: Django's `SELECT 1` would wait for the same timeout the page's first query waits for."""

import select

from django.db.backends.postgresql import base
from psycopg import pq

__all__ = ["DatabaseWrapper"]


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self):
        if self.connection is not None and quiet(self.connection):
            return True
        return super().is_usable()


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
