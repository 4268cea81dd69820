"""Hot statements run straight on asyncpg, inside the transaction of their SQLAlchemy connection.

SQLAlchemy's execute costs several times what asyncpg does per statement: a greenlet hand-off
each way, a compiled-cache look-up, an execution context and a result wrapper. On PostgreSQL
the intake transaction's statements skip all that: each is compiled once (named parameters
turned into `$n`, bind processors kept, so UtcDateTime still refuses a naive datetime and JSON
still goes through the engine's serializer) and sent on the same asyncpg connection, prepared
and cached by asyncpg. Errors reach callers as SQLAlchemy would raise them (IntegrityError,
DBAPIError...). SQLite, and a connection outside an explicit transaction, keep SQLAlchemy's path.
Meant for statements built once (module constants), as the hot path's are.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

from sqlalchemy import exc
from sqlalchemy.engine import Compiled, Dialect
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import ClauseElement, Executable

Params = Mapping[str, Any]
_Arg = tuple[str, Any, Callable[[Any], Any] | None]


class _Plan:
    """One SQL text with its `$n` parameters in order: (name, default, bind processor)."""

    __slots__ = ("sql", "args", "row")

    def __init__(self, sql: str, args: Sequence[_Arg]) -> None:
        self.sql, self.args = sql, tuple(args)
        self.row: Callable[..., Any] | None = None

    def values(self, params: Params) -> list[Any]:
        """The positional arguments for `params` (defaults filled in, values processed)."""
        out = []
        for name, default, process in self.args:
            value = params.get(name, default)
            out.append(value if process is None else process(value))
        return out

    def rows(self, records: list[Any]) -> list[Any]:
        """asyncpg records as rows read by name or position, like SQLAlchemy's."""
        if not records:
            return records
        if self.row is None:
            names = list(records[0].keys())
            row_type: Any = namedtuple("Row", names, rename=True)  # type: ignore[misc]
            self.row = row_type._make
        make = self.row
        return [make(record) for record in records]


class _Statement:
    """A statement compiled once for the engine's dialect, expanded per list length if needed."""

    def __init__(self, statement: Executable, dialect: Dialect) -> None:
        self.compiled: Compiled = cast(ClauseElement, statement).compile(dialect=dialect)
        compiled: Any = self.compiled
        # Lists the caller passes (`IN :pairs`): the SQL text depends on their lengths.
        self.expanding = [name for bind, name in compiled.bind_names.items()
                          if bind.expanding and bind.value is None]
        self.plans: dict[tuple[int, ...], _Plan] = {}

    def plan(self, params: Params) -> tuple[_Plan, Params]:
        """The plan for `params` and the parameters to read it with (lists flattened)."""
        if not self.expanding:
            plan = self.plans.get(())
            if plan is None:
                plan = self.plans[()] = self._build(params)
            return plan, params
        padded = {**params, **{name: _padded(params[name]) for name in self.expanding}}
        lengths = tuple(len(padded[name]) for name in self.expanding)
        plan = self.plans.get(lengths)
        if plan is None:
            plan = self.plans[lengths] = self._build(padded)
        return plan, {**padded, **_flattened(padded, self.expanding)}

    def _build(self, params: Params) -> _Plan:
        compiled: Any = self.compiled
        state = compiled.construct_expanded_state(params, escape_names=False)
        defaults = compiled.construct_params(_check=False, escape_names=False)
        processors = {**compiled._bind_processors, **state.processors}
        args = [(name, defaults.get(name, state.parameters.get(name)),
                 _processor(processors.get(name))) for name in state.positiontup]
        return _Plan(state.statement, args)


def _processor(found: Any) -> Callable[[Any], Any] | None:
    return found if callable(found) else None


def _padded(values: Sequence[Any]) -> list[Any]:
    """`values` repeated at the end up to the next power of two (an IN list means the same).

    asyncpg keeps 100 prepared statements per connection: one text per list length, for the
    look-ups of groups of 1 to 64 events, would push statements out to be prepared again.
    """
    values = list(values)
    if values:
        values += values[-1:] * ((1 << (len(values) - 1).bit_length()) - len(values))
    return values


def _flattened(params: Params, expanding: Sequence[str]) -> dict[str, Any]:
    """`pairs=[(a, b), ...]` as SQLAlchemy names the expanded parameters: pairs_1_1, pairs_1_2..."""
    flat: dict[str, Any] = {}
    for name in expanding:
        for n, item in enumerate(params[name], 1):
            if isinstance(item, tuple):
                for m, value in enumerate(item, 1):
                    flat[f"{name}_{n}_{m}"] = value
            else:
                flat[f"{name}_{n}"] = item
    return flat


# Per statement and engine (bind processors hold the engine's JSON serializer). The hot path's
# statements are built once at import; the bound only guards against a caller building its
# statement per call.
_STATEMENTS: dict[tuple[int, int], tuple[Executable, Dialect, _Statement]] = {}
_MAX_STATEMENTS = 4096


def _statement(statement: Executable, dialect: Dialect) -> _Statement:
    key = (id(statement), id(dialect))
    found = _STATEMENTS.get(key)
    if found is None or found[0] is not statement or found[1] is not dialect:
        if len(_STATEMENTS) >= _MAX_STATEMENTS:
            _STATEMENTS.clear()
        found = _STATEMENTS[key] = (statement, dialect, _Statement(statement, dialect))
    return found[2]


def _driver(connection: AsyncConnection) -> Any | None:
    """The SQLAlchemy adapter of the asyncpg connection, when this path may use it."""
    if connection.dialect.driver != "asyncpg" or not connection.in_transaction():
        return None
    return connection.sync_connection.connection.dbapi_connection  # type: ignore[union-attr]


def begins_here(connection: AsyncConnection) -> bool:
    """Whether a unit of work on `connection` may begin and commit without SQLAlchemy's path.

    On asyncpg, with no engine or connection event listeners (a `begin` or `commit` listener
    expects to run where SQLAlchemy runs it, and may do I/O), and outside any transaction.
    """
    sync = connection.sync_connection
    return (connection.dialect.driver == "asyncpg" and sync is not None
            and not sync._has_events and not sync.engine._has_events
            and not sync.in_transaction())


async def commit(connection: AsyncConnection) -> None:
    """COMMIT the transaction on the driver connection; errors as SQLAlchemy would raise them.

    The caller then closes SQLAlchemy's transaction, which finds nothing left to commit.
    """
    adapter = connection.sync_connection.connection.dbapi_connection  # type: ignore[union-attr]
    transaction = adapter._transaction  # type: ignore[union-attr]
    if transaction is None:  # nothing was sent: no BEGIN, nothing to commit
        return
    try:
        # As the adapter's own commit: whatever the outcome, this transaction is over.
        await adapter._call_and_discard(transaction.commit)  # type: ignore[union-attr]
    except Exception as error:
        raise await _translated(connection, adapter, error, "COMMIT", []) from error


async def _fetch(connection: AsyncConnection, adapter: Any, statement: Executable,
                 params: Params, status: bool = False) -> Any:
    plan, values_from = _statement(statement, connection.dialect).plan(params)
    try:
        values = plan.values(values_from)
    except Exception as error:  # a bind processor refused a value, as SQLAlchemy reports it
        raise exc.DBAPIError.instance(plan.sql, params, error, exc.DBAPIError) from error
    try:
        if adapter._transaction is None:
            # SQLAlchemy's asyncpg adapter sends BEGIN with the first statement, not at begin().
            await adapter._start_transaction()
        driver = adapter._connection
        if status:
            return await driver.execute(plan.sql, *values)
        return plan.rows(await driver.fetch(plan.sql, *values))
    except Exception as error:
        raise await _translated(connection, adapter, error, plan.sql, values) from error


async def _translated(connection: AsyncConnection, adapter: Any, error: Exception, sql: str,
                      values: list[Any]) -> BaseException:
    """The exception SQLAlchemy would have raised for `error` (and the connection invalidated
    if it is gone)."""
    dialect = connection.dialect
    dbapi = dialect.loaded_dbapi
    try:
        adapter._handle_exception(error)
    except dbapi.Error as dbapi_error:
        gone = dialect.is_disconnect(dbapi_error, adapter, None)
        if gone:
            await connection.invalidate(dbapi_error)
        return exc.DBAPIError.instance(sql, values, dbapi_error, dbapi.Error, dialect=dialect,
                                       connection_invalidated=gone)
    except Exception as other:
        return other
    return error


async def rows(connection: AsyncConnection, statement: Executable,
               params: Params | None = None) -> list[Any]:
    """Every row the statement returns (each read by column name or position)."""
    adapter = _driver(connection)
    if adapter is None:
        return list(await connection.execute(statement, params))
    found: list[Any] = await _fetch(connection, adapter, statement, params or {})
    return found


async def first(connection: AsyncConnection, statement: Executable,
                params: Params | None = None) -> Any | None:
    """The first row the statement returns, if any."""
    found = await rows(connection, statement, params)
    return found[0] if found else None


async def scalar(connection: AsyncConnection, statement: Executable,
                 params: Params | None = None) -> Any | None:
    """The first column of the first row, if any."""
    found = await rows(connection, statement, params)
    return found[0][0] if found else None


async def rowcount(connection: AsyncConnection, statement: Executable,
                   params: Params | None = None) -> int:
    """Run a statement that returns no rows; how many rows it changed."""
    adapter = _driver(connection)
    if adapter is None:
        return int((await connection.execute(statement, params)).rowcount)
    status: str = await _fetch(connection, adapter, statement, params or {}, status=True)
    last = status.rpartition(" ")[2]
    return int(last) if last.isdigit() else -1
