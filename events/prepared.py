"""A query compiled once per process and run again with another value: for the hottest query of a
page drawn after a change, where Django's building and compiling of the queryset cost more than
PostgreSQL's answer.

The event page's one query (`selectors.event_detail`: the event, its organisation and feed, its
confirmed places counted in a subquery) took ~31% of the page's first render after a change in
the profile (README, "Benchmarks", session 17): 10 points building the queryset (filters, the
annotation's subquery), 21 compiling it (the select list, the joins, the SQL), against 10 for the
round trip and the rows. Its shape never changes; only the event's uid does.

`Prepared(model, field, build)` builds and compiles `build(value)` once per database alias and engine,
with a marker value of the model field `field`, finds where that value sits in the statement's
parameters, and from then on runs the same SQL with the new value put there, through Django's own
iterable (the same rows, converters, `select_related` objects and annotations as the queryset
gives; the statement goes through the connection's cursor, so execute wrappers and query counts
see it). Only for querysets whose shape depends on nothing else (no clock, no settings, no
active language): tests/events/test_prepared.py checks the statements are the ones Django
compiles for each value."""

import copy
import threading
import uuid

from django.db import connections
from django.db.models.lookups import Exact

__all__ = ["Prepared"]


class Prepared:
    def __init__(self, model, field, build):
        """`build(value)`: the queryset of `model` for `value` of its field named `field`,
        filtered by exact match, sliced as it is to be run."""
        self._model = model
        self._build = build
        self._field = field
        self._compiled = {}
        self._lock = threading.Lock()

    def __call__(self, value, using="default"):
        """The model instances `build(value)` gives (a list), with one query and no compiling."""
        key = (using, connections[using].vendor)
        compiled = self._compiled.get(key)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(key)
                if compiled is None:
                    compiled = self._compiled[key] = self._compile(using)
        return compiled.run(value, using)

    def _compile(self, using):
        from django.db.models import UUIDField

        field = self._model._meta.get_field(self._field)
        marker = uuid.uuid4() if isinstance(field, UUIDField) else f"eyos-prepared-{uuid.uuid4().hex}"
        queryset = self._build(marker)
        if queryset.model is not self._model:
            raise ValueError(f"build() gave a queryset of {queryset.model.__name__}, not {self._model.__name__}")
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        marked = _db_value(field, marker, compiler.connection)
        positions = [index for index, param in enumerate(params) if param == marked]
        if not positions or any(
                param == marked for index, param in enumerate(params) if index not in positions):
            raise ValueError(f"the value of {self._field} is not a parameter of the statement")
        compiler.connection = None  # each run gives its thread's; the compiling one is not kept
        return _Compiled(queryset, compiler, sql, tuple(params), tuple(positions), field)

    def clear(self):
        self._compiled.clear()


def _db_value(field, value, connection):
    """`value` as an exact lookup on `field` sends it (what `filter(field=value)` puts in the
    statement's parameters)."""
    lookup = Exact(field.get_col(field.model._meta.db_table), value)
    _sql, params = lookup.get_db_prep_lookup(lookup.rhs, connection)
    return params[0]


class _Compiled:
    def __init__(self, queryset, compiler, sql, params, positions, field):
        self.queryset, self.compiler, self.sql, self.params = queryset, compiler, sql, params
        self.positions, self.field = positions, field

    def run(self, value, using):
        connection = connections[using]  # this thread's connection, not the one that compiled
        params = list(self.params)
        db_value = _db_value(self.field, value, connection)
        for index in self.positions:
            params[index] = db_value
        compiler = copy.copy(self.compiler)  # its select list, joins' columns and annotations
        compiler.connection = connection
        compiler.as_sql = lambda *args, **kwargs: (self.sql, tuple(params))
        built = self.queryset
        queryset = built.__class__(model=built.model, query=_CompiledQuery(built.query, compiler), using=using,
                                   hints=built._hints)
        for name in _KEPT:  # what QuerySet._clone carries over besides the query
            if hasattr(built, name):
                setattr(queryset, name, getattr(built, name))
        queryset._prefetch_related_lookups = built._prefetch_related_lookups[:]
        return list(queryset)


_KEPT = ("_sticky_filter", "_for_write", "_known_related_objects", "_iterable_class", "_fields", "_fetch_mode")


class _CompiledQuery:
    """The compiled queryset's Query, giving out the compiler ready to run (read only)."""

    def __init__(self, query, compiler):
        self._query = query
        self._compiler = compiler

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        return self._compiler

    def __getattr__(self, name):
        return getattr(self._query, name)
