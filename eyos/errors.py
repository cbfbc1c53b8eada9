"""Exceptions the project's infrastructure understands, for apps to raise."""


class TryLater(Exception):
    """Raised by a task that cannot do its work now but will later (another run holds the lock):
    the worker queues it again instead of failing it."""
