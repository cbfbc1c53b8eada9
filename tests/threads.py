"""Run code as another app server would: in its own thread, hence its own database connection,
committed for everyone else to see (the test's own connection sits in a transaction)."""

import threading

from django.db import connection


def in_thread(fn, *args):
    box = {}

    def run():
        try:
            box["value"] = fn(*args)
        except BaseException as error:  # re-raised in the caller
            box["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box.get("value")
