"""The SQL engine: `SQLiteEngine` and its sessions, behind the `engine.interface` seam.

A session owns one APSW connection to `<data_dir>/store.db`. `prepare` recognises utility
statements (`sql.utility`, `sql.copy_statement`) or translates the statement (DDL by `ddl`, the
rest by `translate`), then asks SQLite to prepare the result (`apsw.ext.query_info`, which does not
run it) for validation, the declared types of result columns and whether it writes; prepared
statements are shared by all sessions through a `StatementCache`. `execute` binds parameters in
their stored form (`types.value_storage`), runs inside the session's `Transactions`, and converts
every result value to the codec model by its column's type. Errors become PostgreSQL's
(`store.sqlite_errors`).

Why one module of about 700 lines: preparing, executing, COPY and the utility commands are methods
of the one session class, sharing its connection, transaction, settings and the engine's caches;
what needs none of them (the prepared statement, its columns, the executed cursor) is `prepared`'s.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

import apsw
import apsw.ext
from sqlglot import exp

from heliosdb_lite.engine import (
    ddl,
    explain_plans,
    extensions,
    foreign_key_violations,
    functions,
    pg_catalog,
    result_origins,
    write_bounds,
)
from heliosdb_lite.engine.functions import effects
from heliosdb_lite.engine.functions import names as fn
from heliosdb_lite.engine.functions.advisory_locks import WAITING, AdvisoryLocks, SessionAdvisoryLocks
from heliosdb_lite.engine.interface import (
    Backend,
    Column,
    CopySpec,
    Cursor,
    DatabaseCatalog,
    StatementYielded,
    TransactionLog,
    TransactionStatus,
)
from heliosdb_lite.engine.notifications import Notifications
from heliosdb_lite.engine.prepared import (
    PreparedStatement,
    executed,
    readers,
    result_columns,
    result_type,
    same_shape,
)
from heliosdb_lite.engine.result_buffer import DEFAULT_RESULT_LIMIT_BYTES, buffered_rows
from heliosdb_lite.engine.roles import SessionRoles
from heliosdb_lite.engine.settings import SessionSettings, canonical_name, duration_ms
from heliosdb_lite.engine.sql import literal_normalisation, literal_shapes, nonstandard_strings, parsing
from heliosdb_lite.engine.sql.copy_statement import CopyCommand, parse_copy
from heliosdb_lite.engine.sql.database_statements import DatabaseCommand
from heliosdb_lite.engine.sql.do_blocks import DoCommand
from heliosdb_lite.engine.sql.prepare_commands import DeallocateCommand, ExecuteCommand, PrepareCommand
from heliosdb_lite.engine.sql.quoting import quote_name
from heliosdb_lite.engine.sql.role_commands import RoleCommand
from heliosdb_lite.engine.sql.short_text_cache import SHORT_TEXT_CHARS
from heliosdb_lite.engine.sql.statement_words import syntax_error
from heliosdb_lite.engine.sql.utility import (
    CloseCommand,
    CursorCommand,
    DeclareCommand,
    ExplainCommand,
    FetchCommand,
    MaintenanceCommand,
    NotificationCommand,
    ResetCommand,
    SetCommand,
    SetConstraintsCommand,
    SetTransactionCommand,
    ShowCommand,
    TransactionCommand,
    UtilityCommand,
    parse_utility,
)
from heliosdb_lite.engine.sql_prepared import SqlPreparedStatements
from heliosdb_lite.engine.statement_cache import StatementCache
from heliosdb_lite.engine.store import initialise, open_connection, schemas
from heliosdb_lite.engine.store.conventions import view_column_types
from heliosdb_lite.engine.store.sqlite_errors import CANCELED_MESSAGE, ErrorContext, database_error
from heliosdb_lite.engine.store.table_info import Catalog, SchemaGeneration
from heliosdb_lite.engine.temporary_tables import OnCommitActions, split_on_commit
from heliosdb_lite.engine.transactions import Transactions
from heliosdb_lite.engine.translate import Translator
from heliosdb_lite.engine.translate.result import Translation
from heliosdb_lite.engine.types import casts
from heliosdb_lite.engine.types import pgtypes as t
from heliosdb_lite.engine.types.type_names import format_type
from heliosdb_lite.engine.types.value_storage import to_storage
from heliosdb_lite.errors import (
    ACTIVE_SQL_TRANSACTION,
    FEATURE_NOT_SUPPORTED,
    INVALID_COLUMN_REFERENCE,
    INVALID_DATETIME_FORMAT,
    LOCK_NOT_AVAILABLE,
    NO_ACTIVE_SQL_TRANSACTION,
    OBJECT_NOT_IN_PREREQUISITE_STATE,
    QUERY_CANCELED,
    SYNTAX_ERROR,
    UNDEFINED_COLUMN,
    UNDEFINED_OBJECT,
    UNDEFINED_TABLE,
    DatabaseError,
    in_failed_transaction,
)
from heliosdb_lite.protocol.codecs.styles import DEFAULT_STYLE, TextStyle, text_style
from heliosdb_lite.protocol.codecs.time_zones import setting_zone

TRANSACTION_TIMESTAMP = "heliosdb.transaction_timestamp"  # pins the next transaction's timestamp
PROGRESS_STEPS = 1000  # SQLite VM steps between two looks at a time budget
# what a write on the event loop may carry (can_write_inline): its parameters' bytes; and what the
# transaction may have written for its COMMIT to run there too: bounded writes, journal room
INLINE_PARAMETER_BYTES = 65536
INLINE_COMMIT_WRITES = 256
INLINE_COMMIT_BYTES = 4 << 20
RAN_LONG_KEPT = 1024
Flags = tuple[bool, ...]  # by column


@dataclass(slots=True)
class _Clock:
    statement_started: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))


class SQLiteSession:
    """One client session (implements `interface.EngineSession`)."""

    def __init__(self, engine: SQLiteEngine, connection: apsw.Connection, user: str, database: str,
                 startup: dict[str, str], transaction_log: TransactionLog | None = None) -> None:
        self._engine = engine
        self._connection = connection
        self.user = user
        self.database = database
        self.settings = SessionSettings(user)
        for name, value in startup.items():
            try:
                self.settings.set(name, value, startup=True)
            except DatabaseError as error:
                raise DatabaseError(error.sqlstate, error.message, error.detail, error.hint,
                                    severity="FATAL") from None
        self.settings.mark_reported()
        self.cancel_event = threading.Event()
        self._cancel_lock = threading.Lock()
        self._running = False
        self._yielded = False  # the running statement was interrupted by its time budget, or met a lock
        self._lock_waits_refused = False  # the running statement is on the event loop: it must not wait
        self._transaction_log = transaction_log
        self._bounded_writes = 0  # the open transaction's writes, all of them bounded (write_bounds) ...
        self._unbounded_writes = False  # ... unless this is set
        self._timed_out = False
        self._lock_timeout_s = engine.default_lock_wait_s
        self._timer: threading.Timer | None = None  # the running statement's statement_timeout
        self._timeouts_generation = -1  # of the settings _timeouts_ms was read from
        self._timeouts_ms = (0, 0)
        self._budget_deadline = 0.0  # the running statement's time budget ends (perf_counter) ...
        self._budget_statement: str | None = None  # ... for this statement's text, when it has one
        self._split_shape: tuple[str, literal_shapes.Masked] | None = None  # the last split's statement, mask
        self._lock_wait_deadline = 0.0
        connection.set_busy_handler(self._wait_for_lock)
        self._clock = _Clock()
        self._timestamp_used: dt.datetime | None = None
        self._timestamp_reported: dt.datetime | None = None
        # what the settings give, read again after each change of them (`_read_settings`)
        self._settings_generation = -1
        self._zone_name = ""
        self._zone: dt.tzinfo = dt.UTC
        self._formats: tuple[dt.tzinfo, TextStyle] = (dt.UTC, DEFAULT_STYLE)
        self._search_path_setting: str | None = None
        self._search_path: tuple[str, ...] = ()
        self._nonstandard_strings = False  # standard_conforming_strings = off
        self._style_names = ("", "")  # DateStyle, IntervalStyle
        self._bindings: list[Any] = []  # the values of the statement running, stored
        self._catalog = Catalog(connection, engine.schema_generation)
        self._transactions = Transactions(connection, self.settings, transaction_log)
        self._advisory_locks = SessionAdvisoryLocks(engine.advisory_locks, self.cancel_event,
                                                    lambda: self._lock_timeout_s,
                                                    self._transactions.notices_add)
        self._transactions.join(self._advisory_locks)
        self._on_commit = OnCommitActions(self._run_own)
        self._transactions.join(self._on_commit)
        journaled = transaction_log is not None and transaction_log.journals_roles
        self._roles = SessionRoles(user, self._transactions.notices_add, journaled=journaled)
        self._transactions.join(self._roles)
        if journaled:
            self._transactions.take_roles = self._roles.take
        functions.register(connection, self)
        extensions.register(connection)
        for name, function in self._advisory_locks.functions().items():
            effects.scalar(connection, name, function, waits=name in WAITING)
        pg_catalog.register(connection, user, database, engine.listed_databases)
        pg_catalog.follow_search_path(connection, self.settings)
        self._sql_prepared = SqlPreparedStatements()
        pg_catalog.show_sql_prepared(connection, self._sql_prepared.named)
        pg_catalog.show_locks(connection, engine.advisory_locks, self._advisory_locks)

    # --- FunctionContext ---------------------------------------------------------------------------

    def transaction_timestamp(self) -> dt.datetime:
        """The transaction's start (pinned by SET heliosdb.transaction_timestamp); reported to the
        client as ParameterStatus, so a replay of the transaction can pin it to what it saw."""
        transactions = self._transactions
        if transactions.block is not None:
            moment = transactions.started_at
        else:
            moment = transactions.pinned_timestamp or self._clock.statement_started
        self._timestamp_used = moment
        return moment

    def statement_timestamp(self) -> dt.datetime:
        return self._clock.statement_started

    def parameter_value(self, number: int) -> Any:
        """The stored value of `$number` of the statement running (one past SQLite's parameters)."""
        return self._bindings[number - 1]

    def time_zone(self) -> dt.tzinfo:
        return self.text_formats()[0]

    def text_style(self) -> TextStyle:
        """The session's DateStyle and IntervalStyle, as the codecs take them."""
        return self.text_formats()[1]

    def text_formats(self) -> tuple[dt.tzinfo, TextStyle]:
        """The TimeZone and the DateStyle/IntervalStyle the text of values follows right now."""
        if self.settings.generation != self._settings_generation:
            self._read_settings()
        return self._formats

    def search_path(self) -> tuple[str, ...]:
        if self.settings.generation != self._settings_generation:
            self._read_settings()
        return self._search_path

    def _nonstandard(self) -> bool:
        """Whether standard_conforming_strings is off."""
        if self.settings.generation != self._settings_generation:
            self._read_settings()
        return self._nonstandard_strings

    def _read_settings(self) -> None:
        """What each statement takes from the settings, read once after each change of them."""
        settings = self.settings
        name = settings.get("TimeZone") or "UTC"
        if name != self._zone_name:
            self._zone, self._zone_name = setting_zone(name), name
        self._style_names = (settings.get("DateStyle") or "", settings.get("IntervalStyle") or "")
        self._formats = (self._zone, text_style(*self._style_names))
        search_path = settings.get("search_path") or ""
        if search_path != self._search_path_setting:
            self._search_path = schemas.search_path(search_path, self.user)
            self._search_path_setting = search_path
        self._nonstandard_strings = settings.get("standard_conforming_strings") == "off"
        self._settings_generation = settings.generation

    # --- EngineSession -----------------------------------------------------------------------------

    @property
    def transaction_status(self) -> TransactionStatus:
        return self._transactions.status

    @property
    def transaction_writes(self) -> bool:
        return self._transactions.writing

    def parameter(self, name: str) -> str:
        """The current value of a configuration parameter (for ParameterStatus)."""
        return self.settings.get(name) or ""

    def split(self, sql: str) -> list[str]:
        """The statements of sql; under standard_conforming_strings = off, with their ordinary
        string constants as escape strings, and the WARNINGs escape_string_warning asks for."""
        if self._nonstandard():
            sql, warnings = nonstandard_strings.as_escape_strings(sql)
            if self.settings.get("escape_string_warning") == "on":
                self._transactions.notices += warnings
        statements, shape = parsing.split_shaped(sql)
        self._split_shape = None if shape is None else (statements[0], shape)
        return statements

    def prepare(self, sql: str, param_oids: Sequence[int]) -> PreparedStatement:
        try:
            if self._nonstandard():  # split() has warned
                sql = nonstandard_strings.as_escape_strings(sql)[0]
            statement = self._prepare(sql, tuple(param_oids))
        except BaseException as error:
            self._transactions.fail()
            raise database_error(error) from None
        if self._transactions.failed and not statement.ends_failed_transaction:
            raise in_failed_transaction()
        return statement

    def prepared(self, sql: str, param_oids: Sequence[int]) -> PreparedStatement | None:
        # a translation in the shared cache is what every route of _prepare gives for its key
        if self._transactions.failed or self._nonstandard() \
                or not self._cacheable(sql):
            return None
        return self._engine.cache.get(self._cache_key(sql, tuple(param_oids)))

    def can_start_over(self, statement: Any) -> bool:
        assert isinstance(statement, PreparedStatement)
        return statement.restartable and not self._transactions.failed \
            and self._transactions.pinned_timestamp is None and statement.sql not in self._engine.ran_long

    def can_write_inline(self, statement: Any, params: Sequence[Any]) -> bool:
        assert isinstance(statement, PreparedStatement)
        if isinstance(statement.utility, TransactionCommand):
            return self.ending_is_short
        return statement.bounded_write and not self._transactions.failed \
            and not self._transactions.upgrades_snapshot and self._commit_is_small() \
            and sum(len(value) for value in params if isinstance(value, str | bytes)) \
            <= INLINE_PARAMETER_BYTES

    @property
    def ending_is_short(self) -> bool:
        return not self._transactions.writing or self._commit_is_small()

    def _commit_is_small(self) -> bool:
        """Whether committing what the open transaction wrote (with one more bounded write) is short
        work: a bounded number of bounded writes, and room in the journal, so the append never waits."""
        log = self._transaction_log
        return not self._unbounded_writes and self._bounded_writes < INLINE_COMMIT_WRITES \
            and (log is None or log.has_room(INLINE_COMMIT_BYTES))

    def execute(self, statement: Any, params: Sequence[Any], *, yield_after: float | None = None,
                wait_for_locks: bool = True) -> Cursor:
        assert isinstance(statement, PreparedStatement)
        if self._transactions.failed and not statement.ends_failed_transaction:
            raise in_failed_transaction()
        if self._transactions.implicit_mode and self._transactions.block is None:
            self._transactions.begin(explicit=False)
        self._lock_waits_refused = not wait_for_locks or yield_after is not None
        self._statement_started(statement, yield_after)
        try:
            cursor = self._execute(statement, params)
        except BaseException as error:
            if self._yielded:
                raise StatementYielded from None
            self._transactions.fail()
            context = self._error_context(statement.executes or statement, (*params, *statement.literals))
            raise self._statement_error(database_error(error, context)) from None
        finally:
            self._statement_ended()
            self._lock_waits_refused = False
            if self._transactions.block is None and not _pins_timestamp(statement):
                self._transactions.pinned_timestamp = None
            self._count_write(statement)
        if statement.utility is not None and not statement.ends_failed_transaction \
                and statement.executes is None:  # EXECUTE's statement responded itself
            self._transactions.responded(cursor)
        if self._transactions.block is None:  # the statement's own transaction committed
            self._on_commit.commit()
        return cursor

    def _count_write(self, statement: PreparedStatement | None) -> None:
        """Keep count of what the open transaction wrote (`ending_is_short`); forget it once it ended."""
        if self._transactions.block is None:
            self._bounded_writes = 0
            self._unbounded_writes = False
        elif statement is None or (statement.writes and not statement.bounded_write):
            self._unbounded_writes = True
        elif statement.writes:
            self._bounded_writes += 1

    def statement_failed(self) -> None:
        self._transactions.fail()

    def copy_in_rows(self, statement: Any, rows: Sequence[Sequence[Any]]) -> int:
        assert isinstance(statement, PreparedStatement) and statement.copy is not None
        command = statement.copy_command
        assert command is not None and command.table is not None
        if self._transactions.failed:
            raise in_failed_transaction()
        table, where, columns = command.table, command.where, statement.copy.columns
        info = self._catalog.table(command.table)
        unfilled = info.unfilled_defaults([column.name for column in columns]) if info is not None else []
        names = ", ".join(quote_name(name) for name in [*(column.name for column in columns),
                                                         *(column.name for column in unfilled)])
        placeholders = ", ".join([*(f"?{i + 1}" for i in range(len(columns))),
                                  *(c.filled_default for c in unfilled)])
        sql = f"INSERT INTO {quote_name(command.table)} ({names}) VALUES ({placeholders})"
        writers = [to_storage(column.type_oid) for column in columns]
        typmods = [(column.type_oid, column.type_modifier) for column in columns]

        def stored(row: Sequence[Any]) -> list[Any]:
            return [writer(casts.apply_typmod(value, oid, typmod, explicit=False)
                           if value is not None and typmod >= 0 else value)
                    for writer, value, (oid, typmod) in zip(writers, row, typmods, strict=True)]

        def run() -> int:
            kept = rows if where is None else self._copy_rows_where(where, table, columns, rows)
            self._connection.cursor().executemany(sql, (stored(row) for row in kept))
            self._transactions.responded(Cursor(None, "COPY", len(kept)))
            return len(kept)

        self._statement_started(None, None)
        try:
            return self._in_transaction(True, "COPY", run)
        except BaseException as error:
            self._transactions.fail()
            raise self._statement_error(database_error(error, ErrorContext(table=command.table))) from None
        finally:
            self._statement_ended()
            self._count_write(None)

    def _copy_rows_where(self, where: str, table: str, columns: Sequence[Column],
                         rows: Sequence[Sequence[Any]]) -> list[Sequence[Any]]:
        """The rows of a COPY FROM ... WHERE its condition holds for (true, not false or NULL): the
        condition evaluated on each row's values as the table's columns."""
        values = ", ".join(f"${i + 1} AS {quote_name(column.name)}" for i, column in enumerate(columns))
        sql = f"SELECT ({where}) FROM (SELECT {values}) AS {quote_name(table)}"
        condition = self._prepare_translated(sql, tuple(column.type_oid for column in columns))
        return [row for row in rows if self._execute(condition, row).fetch(0)[0][0] is True]

    def begin_implicit(self) -> None:
        self._transactions.implicit_mode = True
        if self._transactions.block is None:
            self._transactions.begin(explicit=False)

    def end_implicit(self, success: bool) -> None:
        self._transactions.implicit_mode = False
        if self._transactions.block == "implicit":
            try:
                if success:
                    self._transactions.commit()
                else:
                    self._transactions.rollback()
            except BaseException as error:
                self._transactions.rollback()
                raise database_error(error) from None
            finally:
                self._catalog.transaction_ended()
                self._count_write(None)

    @property
    def settings_generation(self) -> int:
        return self.settings.generation

    def parameter_changes(self) -> list[tuple[str, str]]:
        changes = self.settings.changes()
        used = self._timestamp_used
        if used is not None and used != self._timestamp_reported:
            changes.append((TRANSACTION_TIMESTAMP, used.isoformat()))
            self._timestamp_reported = used
        self._timestamp_used = None
        return changes

    def apply_server_parameters(self, values: dict[str, str]) -> None:
        for name, value in values.items():
            self.settings.set(name, value, startup=True)

    def notices(self) -> list[DatabaseError]:
        """NOTICE and WARNING messages raised since the last call (sent as NoticeResponse)."""
        pending = self._transactions.notices
        self._transactions.notices = []
        return pending

    @property
    def notifications(self) -> Notifications:
        """The session's LISTEN channels and NOTIFY queue (pg_notify reaches it as a FunctionContext)."""
        return self._transactions.notifications

    def committed_notifications(self) -> list[tuple[str, str]]:
        return self.notifications.take_committed()

    def listens_to(self, channel: str) -> bool:
        return channel in self.notifications.listening

    def _warn_outside_block(self, command: str) -> None:
        self._transactions.notices.append(DatabaseError(
            NO_ACTIVE_SQL_TRANSACTION, f"{command} can only be used in transaction blocks",
            severity="WARNING"))

    def cancel(self) -> None:
        with self._cancel_lock:
            if self._running:
                self.cancel_event.set()
                self._connection.interrupt()

    def close(self) -> None:
        with contextlib.suppress(apsw.Error):
            self._transactions.rollback()
        self._advisory_locks.close()
        self._connection.close()
        self._engine.forget(self)

    # --- preparing ---------------------------------------------------------------------------------

    def _prepare(self, sql: str, param_oids: tuple[int, ...]) -> PreparedStatement:
        if not param_oids and self._cacheable(sql):
            split_shape = self._split_shape  # sql's mask, when split found it
            shape = split_shape[1] if split_shape is not None and split_shape[0] is sql \
                else literal_shapes.masked(sql)
            constants = None if shape is None else literal_normalisation.shape_constants(shape)
            if constants is not None:  # DML, none of the below; short: its tokens are in the LRU
                shape_key = (constants.shape.mask, constants.param_oids, constants.kept,
                             *self._cache_context())
                template = self._engine.shape_templates.get(shape_key)
                if template is not None:
                    return self._bound(template, sql, constants)
                return self._prepare_normalised(sql, constants.normalised(), shape_key)
            transaction_statement = self._engine.transaction_statements.get(sql)
            if transaction_statement is not None:
                return transaction_statement
        with parsing.tokens_kept():
            return self._prepare_tokenized(sql, param_oids)

    def _prepare_tokenized(self, sql: str, param_oids: tuple[int, ...]) -> PreparedStatement:
        created, on_commit = split_on_commit(sql)
        if on_commit is not None:
            return replace(self._prepare(created, param_oids), on_commit=on_commit)
        command = parse_utility(sql)
        if command is not None:
            statement = self._prepare_utility(sql, param_oids, command)
            if isinstance(command, TransactionCommand) and not param_oids and self._cacheable(sql):
                self._engine.transaction_statements.put(sql, statement)  # the same in every session
            return statement
        words = parsing.first_words(sql, 1)
        if words == ["copy"]:
            return self._prepare_copy(sql, parse_copy(sql))
        if not param_oids and self._cacheable(sql):
            normalised = literal_normalisation.normalise(sql)
            if normalised is not None:
                return self._prepare_normalised(sql, normalised)
        return self._prepare_translated(sql, param_oids)

    def _prepare_normalised(self, sql: str, normalised: literal_normalisation.Normalised,
                            shape_key: tuple[Any, ...] | None = None) -> PreparedStatement:
        """A statement whose literals were normalised away: the shared translation of the normalised
        text with the literals to bind, or the exact statement when normalising would change the
        result's columns or the translation cannot take parameters there. A translation bound is
        kept by `shape_key` too, when given: the text's mask, parameter types, kept constants and
        `_cache_context` tell the same translation apart as the normalised text's `_cache_key` does."""
        key = self._cache_key(normalised.sql, normalised.param_oids)
        if self._engine.unnormalisable.get(key) is not None:
            return self._prepare_translated(sql, ())
        template = self._engine.cache.get(key)
        if template is None:
            exact = self._prepare_translated(sql, ())
            if self._engine.normalised_once.get(key) is None:
                # a first sighting: the shared translation pays only when the text comes back with
                # other literals (each of sqlsmith's or an ad hoc statement would be translated twice)
                self._engine.normalised_once.put(key, True)
                return exact
            try:
                template = self._prepare_translated(normalised.sql, normalised.param_oids)
            except Exception:
                template = None
            if template is None or not same_shape(exact, template):
                self._engine.unnormalisable.put(key, True)
                return exact
        if shape_key is not None:
            self._engine.shape_templates.put(shape_key, template)
        return self._bound(template, sql, normalised)

    def _bound(self, template: PreparedStatement, sql: str,
               literals: literal_normalisation.Normalised | literal_normalisation.ShapeConstants
               ) -> PreparedStatement:
        """The literal-normalised `template` as the statement of `sql`, whose literals these are."""
        zone, style = self.text_formats()
        bound = literal_normalisation.values(literals, template.param_oids, zone, style)
        return template.bound_to(sql, bound)

    def _cache_key(self, sql: str, param_oids: tuple[int, ...]) -> tuple[Any, ...]:
        return (sql, param_oids, *self._cache_context())

    def _cache_context(self) -> tuple[Any, ...]:
        """What a translation depends on besides its text and parameter types."""
        if self.settings.generation != self._settings_generation:
            self._read_settings()
        # the style by its settings' names: a str's hash is kept, a TextStyle's computed each time
        return (self._catalog.schema_version(), self._zone_name, self._style_names, self._search_path)

    def _cacheable(self, sql: str) -> bool:
        """Whether a translation of sql may be shared through the engine's caches: not inside a
        transaction block that changed the schema, and not a statement so long that the caches
        would pin its size many times over."""
        return not self._catalog.changing and len(sql) <= SHORT_TEXT_CHARS

    def _prepare_translated(self, sql: str, param_oids: tuple[int, ...]) -> PreparedStatement:
        cacheable = self._cacheable(sql)
        key = self._cache_key(sql, param_oids)
        if cacheable:
            cached = self._engine.cache.get(key)
            if cached is not None:
                return cached
        text = pg_catalog.normalize(sql)
        set_operation = False
        translator = Translator(self._catalog, text, param_oids, self.time_zone(),
                                view_types=partial(view_column_types, self._connection),
                                search_path=self.search_path(), user=self.user, style=self.text_style(),
                                database=self.database)
        try:
            translation = ddl.translate_words(translator, text)
            if translation is None:
                tree = parsing.parse(text)
                set_operation = isinstance(tree, exp.SetOperation)
                tree = tree.copy()
                translation = ddl.translate(translator, tree)
                if translation is None:
                    translation = translator.translate(tree)
        except DatabaseError:
            self._transactions.notices += translator.notices  # sent before the error, as PostgreSQL does
            raise
        statement = self._statement_for(sql, translation, key[2], set_operation)
        if cacheable and not translation.schema_change:  # DDL depends on which schemas exist
            self._engine.cache.put(key, statement)
        return statement

    def _statement_for(self, sql: str, translation: Translation, schema_version: int,
                       set_operation: bool) -> PreparedStatement:
        oids = tuple(pg_type.oid for pg_type in translation.param_types)
        writers = tuple(to_storage(oid) for oid in oids)
        epoch = self._catalog.epoch if self._catalog.changing else None
        if translation.schema_change:
            return PreparedStatement(sql, oids, None, translation=translation, writes=True,
                                     schema_version=schema_version, schema_epoch=epoch, writers=writers)
        # actions=False: collecting actions (an authorizer during prepare) crashed the process on
        # INSERT ... RETURNING into a temporary table with a serial key (SIGSEGV in the next execute)
        info = apsw.ext.query_info(self._connection, translation.sql, actions=False)
        columns = None
        if translation.columns is not None:
            origins = result_origins.origins(self._connection, info, set_operation)
            columns = result_columns(translation.columns, info.description, origins)
        writes = not info.is_readonly or translation.locks_rows
        return PreparedStatement(sql, oids, columns, translation=translation, writes=writes,
                                 sqlite_param_count=info.bindings_count, schema_version=schema_version,
                                 schema_epoch=epoch,
                                 readers=readers(columns), writers=writers,
                                 restartable=not writes and not effects.calls_impure(translation.sql),
                                 bounded_write=writes and not translation.locks_rows
                                 and write_bounds.bounded(self._connection, translation))

    def _prepare_utility(self, sql: str, param_oids: tuple[int, ...],
                         command: UtilityCommand) -> PreparedStatement:
        columns: tuple[Column, ...] | None = None
        if isinstance(command, ShowCommand):
            if command.name is None:
                columns = (Column("name", t.TEXT), Column("setting", t.TEXT), Column("description", t.TEXT))
            else:
                name = self.settings.get(command.name) and canonical_name(command.name)
                columns = (Column(name or command.name, t.TEXT),)
        elif isinstance(command, ExplainCommand):
            inner = self._prepare_translated(command.statement, param_oids)
            plan = (Column("QUERY PLAN", t.JSON if command.json else t.TEXT),)
            return PreparedStatement(sql, inner.param_oids, plan, utility=command,
                                     translation=inner.translation, writes=command.analyze and inner.writes,
                                     sqlite_param_count=inner.sqlite_param_count,
                                     cursor_query=inner if command.analyze else None)
        elif isinstance(command, DeclareCommand):
            query = self._prepare(command.query, param_oids)
            if query.columns is None or query.utility is not None or query.copy is not None:
                raise DatabaseError(SYNTAX_ERROR, "DECLARE CURSOR needs a query that returns rows")
            return PreparedStatement(sql, query.param_oids, None, utility=command, cursor_query=query)
        elif isinstance(command, FetchCommand) and not command.move:
            columns = self._transactions.cursors.get(command.name).columns
        elif isinstance(command, ExecuteCommand):
            return self._prepare_execute(sql, command)
        return PreparedStatement(sql, tuple(param_oids), columns, utility=command,
                                 writes=isinstance(command, RoleCommand))  # roles: one writer at a time

    def _prepare_execute(self, sql: str, command: ExecuteCommand) -> PreparedStatement:
        """EXECUTE name (args): the prepared statement's columns, its arguments cast to its types."""
        target = self._sql_prepared.lookup(command.name)
        if not isinstance(target, PreparedStatement):
            raise DatabaseError(FEATURE_NOT_SUPPORTED, "EXECUTE of an empty statement is not supported")
        if len(command.arguments) != len(target.param_oids):
            raise DatabaseError(SYNTAX_ERROR,
                                f'wrong number of parameters for prepared statement "{command.name}"',
                                detail=f"Expected {len(target.param_oids)} parameters but got "
                                       f"{len(command.arguments)}.")
        arguments = None
        if command.arguments:
            values = ", ".join(f"CAST(({argument}) AS {format_type(oid, -1)})" if oid else f"({argument})"
                               for argument, oid in zip(command.arguments, target.param_oids, strict=True))
            arguments = self._prepare_translated(f"SELECT {values}", ())
        return PreparedStatement(sql, (), target.columns, utility=command, executes=target,
                                 arguments=arguments, writes=target.writes)

    def _prepare_statement(self, sql: str, command: PrepareCommand) -> None:
        """PREPARE: the statement (one PostgreSQL can prepare: a query or DML) prepared now with the
        parameter types named, kept by name."""
        first = parsing.first_words(command.statement, 1)
        if first[:1] not in (["select"], ["insert"], ["update"], ["delete"], ["values"], ["with"], ["table"]):
            raise syntax_error(first[0] if first else None)
        oids = []
        for type_name in command.type_names:
            typed = self._prepare_translated(f"SELECT CAST(NULL AS {type_name})", ())
            assert typed.columns is not None
            oids.append(typed.columns[0].type_oid)
        self._sql_prepared.add(command.name, sql, self._prepare(command.statement, tuple(oids)))

    def _run_execute(self, statement: PreparedStatement) -> Cursor:
        """EXECUTE: its arguments evaluated (a SELECT without tables, read at once), then the
        prepared statement run with them."""
        target = statement.executes
        assert target is not None
        values: list[Any] = []
        if statement.arguments is not None:
            translation = statement.arguments.translation
            assert translation is not None
            stored = self._connection.cursor().execute(translation.sql)
            rows = buffered_rows(stored, statement.arguments.readers, self._engine.max_result_bytes)
            values = list(rows[0])
        return self._execute(target, values)

    def _prepare_copy(self, sql: str, command: CopyCommand) -> PreparedStatement:
        relation = command.table or ""
        if command.direction == "out":
            query = command.query
            if query is None:
                assert command.table is not None
                names = ", ".join(quote_name(c) for c in command.columns) if command.columns else "*"
                schema = f"{quote_name(command.schema)}." if command.schema else ""
                query = f"SELECT {names} FROM {schema}{quote_name(command.table)}"
            inner = self._prepare_translated(query, ())
            # the rows' format only: CopyOutResponse has no table OIDs or column numbers
            columns = tuple(replace(c, table_oid=0, column_number=0) for c in inner.columns or ())
        else:
            assert command.table is not None
            stored = schemas.resolve(command.table, command.schema, self.search_path(),
                                     lambda name: self._catalog.table(name) is not None)
            command = replace(command, table=stored, schema=None)
            columns = self._copy_in_columns(stored, command.columns)
            inner = None
        force_quote, force_not_null, force_null = self._forced_columns(command, columns)
        spec = CopySpec(command.direction, columns, command.format, command.delimiter, command.null,
                        command.header, command.quote, command.escape, command.encoding, force_quote,
                        force_not_null, force_null, relation)
        if inner is None:
            return PreparedStatement(sql, (), None, copy=spec, copy_command=command, writes=True)
        return PreparedStatement(sql, (), columns, copy=spec, copy_command=command,
                                 translation=inner.translation, sqlite_param_count=inner.sqlite_param_count,
                                 schema_version=inner.schema_version, readers=inner.readers)

    def _forced_columns(self, command: CopyCommand,
                        columns: Sequence[Column]) -> tuple[Flags, Flags, Flags]:
        """FORCE_QUOTE's, FORCE_NOT_NULL's and FORCE_NULL's flags by column; PostgreSQL's errors for
        a column the COPY does not name (42P10) or its table lacks (42703)."""
        names = [column.name for column in columns]
        info = self._catalog.table(command.table) if command.table is not None else None
        flags: list[Flags] = []
        forced_lists = (("FORCE_QUOTE", command.force_quote), ("FORCE_NOT_NULL", command.force_not_null),
                        ("FORCE_NULL", command.force_null))
        for option, forced in forced_lists:
            if forced == "*":
                flags.append((True,) * len(names))
                continue
            for name in forced:
                if name in names:
                    continue
                if info is not None and info.column(name) is None:
                    raise DatabaseError(UNDEFINED_COLUMN,
                                        f'column "{name}" of relation "{command.table}" does not exist')
                if info is None and command.table is None:
                    raise DatabaseError(UNDEFINED_COLUMN, f'column "{name}" does not exist')
                raise DatabaseError(INVALID_COLUMN_REFERENCE,
                                    f'{option} column "{name}" not referenced by COPY')
            flags.append(tuple(name in forced for name in names) if forced else ())
        return flags[0], flags[1], flags[2]

    def _copy_in_columns(self, table: str, names: Sequence[str]) -> tuple[Column, ...]:
        info = self._catalog.table(table)
        if info is None:
            raise DatabaseError(UNDEFINED_TABLE, f'relation "{table}" does not exist')
        selected = []
        for name in names or [c.name for c in info.columns]:
            column = info.column(name)
            if column is None:
                raise DatabaseError(UNDEFINED_COLUMN, f'column "{name}" of relation "{table}" does not exist')
            pg_type = column.type or t.TEXT_TYPE
            selected.append(Column(column.name, pg_type.oid, pg_type.typmod))
        return tuple(selected)

    # --- executing ---------------------------------------------------------------------------------

    def _statement_started(self, statement: PreparedStatement | None, budget_seconds: float | None) -> None:
        """Before each statement: cancel() may interrupt it, statement_timeout bounds it, and
        lock_timeout (when set; 0 waits as long as needed, as in PostgreSQL) bounds the wait for
        SQLite's write lock. With `budget_seconds`, SQLite's progress handler interrupts the
        statement once they have passed (`_yielded` then tells the interruption from a cancel or a
        statement timeout): only a statement that can start over has one, having nothing to undo
        (a read, its result not yet taken). `_statement_ended` undoes all of it."""
        with self._cancel_lock:
            self.cancel_event.clear()
            self._running = True
            self._timed_out = False
        self._clock.statement_started = dt.datetime.now(dt.UTC)
        lock_timeout_ms, statement_timeout_ms = self._timeouts()
        self._lock_timeout_s = lock_timeout_ms / 1000 if lock_timeout_ms else self._engine.default_lock_wait_s
        if statement_timeout_ms:
            self._timer = threading.Timer(statement_timeout_ms / 1000, self._time_out)
            self._timer.daemon = True
            self._timer.start()
        self._yielded = False
        if budget_seconds is not None:
            assert statement is not None and statement.restartable  # the caller checked can_start_over
            self._budget_deadline = time.perf_counter() + budget_seconds
            self._budget_statement = statement.sql
            self._connection.set_progress_handler(self._past_budget, PROGRESS_STEPS)

    def _statement_ended(self) -> None:
        if self._budget_statement is not None:
            self._budget_statement = None
            self._connection.set_progress_handler(None)
        timer = self._timer
        if timer is not None:
            self._timer = None
            timer.cancel()
        with self._cancel_lock:
            self._running = False

    def _statement_error(self, error: DatabaseError) -> DatabaseError:
        """The error a statement ends with: a cancelled lock wait is a cancel, and a cancel the
        statement timeout caused says so."""
        if error.sqlstate == LOCK_NOT_AVAILABLE and self.cancel_event.is_set():
            error = DatabaseError(QUERY_CANCELED, CANCELED_MESSAGE)
        if self._timed_out and error.sqlstate == QUERY_CANCELED:
            return DatabaseError(QUERY_CANCELED, "canceling statement due to statement timeout")
        return error

    def _timeouts(self) -> tuple[int, int]:
        """(lock_timeout, statement_timeout) in milliseconds, read again only after a change of settings."""
        settings = self.settings
        if self._timeouts_generation != settings.generation:
            self._timeouts_generation = settings.generation
            self._timeouts_ms = (duration_ms(settings.get("lock_timeout") or "0"),
                                 duration_ms(settings.get("statement_timeout") or "0"))
        return self._timeouts_ms

    def _past_budget(self) -> bool:
        """SQLite's progress handler while a statement runs on a time budget."""
        if time.perf_counter() < self._budget_deadline:
            return False
        self._yielded = True
        ran_long = self._engine.ran_long
        if len(ran_long) >= RAN_LONG_KEPT:
            ran_long.clear()
        assert self._budget_statement is not None
        ran_long.add(self._budget_statement)
        return True

    def _wait_for_lock(self, attempts: int) -> bool:
        """SQLite's busy handler: poll for the lock until this wait has lasted lock_timeout (else
        the engine's busy timeout), and stop at once when the statement is cancelled or times out.
        A statement on the event loop does not wait: it yields, to wait in a worker thread (SQLite
        asks for a lock before the statement changes anything, so nothing of it happened)."""
        if self._lock_waits_refused:
            self._yielded = True
            return False
        now = time.monotonic()
        if attempts == 0:
            self._lock_wait_deadline = now + self._lock_timeout_s
        remaining = self._lock_wait_deadline - now
        if remaining <= 0:
            return False
        return not self.cancel_event.wait(min(0.001 * (attempts + 1), 0.01, remaining))

    def _time_out(self) -> None:
        with self._cancel_lock:
            if self._running:
                self._timed_out = True
                self.cancel_event.set()
                self._connection.interrupt()

    def _execute(self, statement: PreparedStatement, params: Sequence[Any]) -> Cursor:
        if statement.utility is not None:
            return self._execute_utility(statement, params)
        if statement.copy is not None and statement.copy.direction == "in":
            raise DatabaseError(FEATURE_NOT_SUPPORTED, "COPY FROM STDIN rows arrive through copy_in_rows")
        statement = self._current(statement)
        translation = statement.translation
        assert translation is not None
        values = (*params, *statement.literals)
        self._bindings = [writer(value) for writer, value in zip(statement.writers, values, strict=False)]
        bindings = self._bindings[:statement.sqlite_param_count]  # the rest read by parameter_value

        def run() -> Cursor:
            cursor = self._connection.cursor()
            try:
                cursor.execute(translation.sql, bindings if not translation.schema_change else None)
                rows = buffered_rows(cursor, statement.readers, self._engine.max_result_bytes)
            except apsw.ConstraintError as error:
                raise self._foreign_key_error(error, translation, bindings) from None
            changes = self._connection.changes()
            if translation.serial_sequence is not None and (changes or translation.serial_upsert):
                assigned = "NULL" if translation.serial_upsert else "last_insert_rowid()"
                cursor.execute(f"SELECT {fn.SEQUENCE_ASSIGNED}(?, {assigned})",
                               (translation.serial_sequence,))
            result = executed(statement, translation, rows, changes)
            self._transactions.responded(result)
            return result

        if translation.schema_change and self._transactions.block is not None:
            self._catalog.schema_changing()  # before it runs: a DDL that fails may have done part of its work
        try:
            result = self._in_transaction(statement.writes, translation.command, run)
        finally:
            if translation.schema_change and self._transactions.block is None:
                self._catalog.schema_changed()  # its own transaction committed or rolled back
        self._transactions.notices += translation.notices
        if statement.on_commit is not None:
            self._on_commit.created(statement.on_commit)
        return result

    def _foreign_key_error(self, error: apsw.ConstraintError, translation: Translation,
                           bindings: Sequence[Any]) -> BaseException:
        """PostgreSQL's 23503 for a foreign key SQLite's own enforcement refused, which names nothing
        (`foreign_key_violations`); any other constraint's error as it is."""
        if not str(error).endswith(foreign_key_violations.SQLITE_MESSAGE):
            return error

        def again() -> None:
            self._connection.cursor().execute(translation.sql, bindings).fetchall()

        def shown(oid: int, value: Any) -> str:
            return casts.stored_text(oid, value, self.time_zone(), self.text_style())

        return foreign_key_violations.probed(self._connection, again, translation.target, shown) or error

    def _current(self, statement: PreparedStatement) -> PreparedStatement:
        """The statement re-prepared if the schema changed since it was prepared."""
        if statement.translation is None or (statement.schema_version == self._catalog.schema_version()
                                             and statement.schema_epoch in (None, self._catalog.epoch)):
            return statement
        fresh = self._prepare(statement.sql, statement.param_oids)
        if result_type(fresh.columns) != result_type(statement.columns):
            raise DatabaseError(FEATURE_NOT_SUPPORTED, "cached plan must not change result type",
                                routine="RevalidateCachedQuery")
        return fresh

    def _in_transaction(self, writes: bool, command: str, run: Any) -> Any:
        transactions = self._transactions
        if transactions.block is None:
            return transactions.autocommit(writes, run)
        return transactions.run_in_block(writes, command, run)

    def _execute_utility(self, statement: PreparedStatement, params: Sequence[Any]) -> Cursor:
        command = statement.utility
        transactions = self._transactions
        if isinstance(command, TransactionCommand):
            return Cursor(None, self._transaction_command(command))
        if isinstance(command, SetCommand):
            if _pins_timestamp(statement):
                transactions.pinned_timestamp = _pinned_timestamp(command.value)
                return Cursor(None, "SET")
            if command.local and transactions.block is None:
                self._warn_outside_block("SET LOCAL")
            self.settings.set(command.name, command.value, local=command.local)
            return Cursor(None, "SET")
        if isinstance(command, SetTransactionCommand):
            if command.session_default:
                for mode, value in command.modes.settings().items():
                    self.settings.set(f"default_transaction_{mode}", value)
            elif transactions.block is not None:
                transactions.set_modes(command.modes)
            else:
                self._warn_outside_block("SET TRANSACTION")
            return Cursor(None, "SET")
        if isinstance(command, SetConstraintsCommand):
            if transactions.block is None:
                self._warn_outside_block("SET CONSTRAINTS")
            else:
                transactions.set_constraints(deferred=command.deferred)
            return Cursor(None, "SET CONSTRAINTS")
        if isinstance(command, ResetCommand):
            if command.name is None:
                self.settings.reset_all()
            else:
                self.settings.set(command.name, None)
            return Cursor(None, "RESET")
        if isinstance(command, ShowCommand):
            if command.name is None:
                return Cursor(statement.columns, "SHOW", None, list(self.settings.all()))
            return Cursor(statement.columns, "SHOW", None, [(self.settings.get(command.name),)])
        if isinstance(command, ExplainCommand):
            return self._explain(statement, params)
        if isinstance(command, NotificationCommand):
            return self._notification(command)
        if isinstance(command, DeclareCommand | FetchCommand | CloseCommand):
            return self._cursor_command(command, statement, params)
        if isinstance(command, PrepareCommand):
            self._prepare_statement(statement.sql, command)
            return Cursor(None, command.tag)
        if isinstance(command, ExecuteCommand):
            return self._run_execute(statement)
        if isinstance(command, DeallocateCommand):
            self._sql_prepared.deallocate(command.name)
            return Cursor(None, command.tag)
        if isinstance(command, RoleCommand):  # a write: journaled with its transaction (engine.roles)
            encryption = self.settings.get("password_encryption") or "scram-sha-256"
            self._in_transaction(True, command.tag, lambda: self._roles.run(command, encryption))
            return Cursor(None, command.tag)
        if isinstance(command, DoCommand):
            return self._do(command)
        if isinstance(command, DatabaseCommand):
            return self._database_command(command)
        assert isinstance(command, MaintenanceCommand)
        if command.outside_block_only and transactions.block is not None:
            raise DatabaseError(ACTIVE_SQL_TRANSACTION,
                                f"{command.tag} cannot run inside a transaction block")
        if command.discard_all:
            if transactions.block is not None:
                raise DatabaseError(ACTIVE_SQL_TRANSACTION,
                                    "DISCARD ALL cannot run inside a transaction block")
            self.settings.reset_all()
            self.notifications.unlisten(None)
            self._sql_prepared.deallocate(None)
        return Cursor(None, command.tag)

    def _database_command(self, command: DatabaseCommand) -> Cursor:
        """CREATE or DROP DATABASE, run by the server's databases (`interface.DatabaseCatalog`)."""
        if self._transactions.block is not None:
            raise DatabaseError(ACTIVE_SQL_TRANSACTION,
                                f"{command.tag} cannot run inside a transaction block")
        catalog = self._engine.databases
        if catalog is None:
            raise DatabaseError(FEATURE_NOT_SUPPORTED, f"{command.tag} is not supported",
                                detail="An engine opened without a server serves one database.")
        if command.owner is not None and command.owner != self.user:
            raise DatabaseError(FEATURE_NOT_SUPPORTED,
                                "CREATE DATABASE with OWNER another role is not supported")
        if command.action == "create":
            catalog.create(command.name)
        else:
            notice = catalog.drop(command.name, if_exists=command.if_exists, current=self.database)
            if notice is not None:
                self._transactions.notices.append(notice)
        return Cursor(None, command.tag)

    def _do(self, command: DoCommand) -> Cursor:
        """A DO block's RAISE statements in order: notices, or the exception that ends it."""
        client_min_messages = self.settings.get("client_min_messages") or "notice"
        for statement in command.raises:
            if statement.level == "exception":
                raise statement.error()
            if statement.sent(client_min_messages):
                self._transactions.notices.append(statement.error())
        return Cursor(None, command.tag)

    def _cursor_command(self, command: CursorCommand, statement: PreparedStatement,
                        params: Sequence[Any]) -> Cursor:
        cursors = self._transactions.cursors
        if isinstance(command, DeclareCommand):
            query = statement.cursor_query
            assert query is not None and query.columns is not None
            cursors.check_new(command.name, hold=command.hold)
            result = self._execute(query, params)
            cursors.declare(command.name, result.columns or query.columns, result.fetch(0), hold=command.hold)
            return Cursor(None, command.tag)
        if isinstance(command, FetchCommand):
            rows = cursors.fetch(command.name, command.count)
            if command.move:
                return Cursor(None, "MOVE", len(rows))
            return Cursor(statement.columns, "FETCH", len(rows), rows)
        cursors.close(command.name)
        return Cursor(None, command.tag)

    def attach_backend(self, backend: Backend) -> None:
        pg_catalog.attach_backend(self._connection, backend)
        self._sql_prepared.backend = backend
        self._roles.store = backend.roles

    def prepared_by_sql(self, name: str) -> bool:
        return name in self._sql_prepared

    def _run_own(self, sql: str) -> None:
        """A statement the session runs for itself (an ON COMMIT action), outside any block."""
        try:
            self._execute(self._prepare(sql, ()), [])
        except BaseException as error:
            raise database_error(error) from None

    def cursor_columns(self, name: str) -> tuple[Column, ...] | None:
        return self._transactions.cursors.columns(name)

    def close_cursor(self, name: str) -> None:
        if self._transactions.cursors.columns(name) is not None:
            self._transactions.cursors.close(name)

    def _notification(self, command: NotificationCommand) -> Cursor:
        if command.action == "listen":
            assert command.channel is not None
            self.notifications.listen(command.channel)
        elif command.action == "unlisten":
            self.notifications.unlisten(command.channel)
        else:
            assert command.channel is not None
            self.notifications.notify(command.channel, command.payload)
        return Cursor(None, command.tag)

    def _transaction_command(self, command: TransactionCommand) -> str:
        transactions = self._transactions
        if command.action == "begin":
            transactions.begin(explicit=True, modes=command.modes)
            return command.tag
        if command.action == "savepoint":
            transactions.savepoint(command.name or "")
            return command.tag
        if command.action == "release":
            transactions.release(command.name or "")
            return command.tag
        if command.action == "rollback_to":
            transactions.rollback_to(command.name or "")
            return command.tag
        if command.action in ("prepare_transaction", "commit_prepared", "rollback_prepared"):
            return self._two_phase_command(command)
        try:
            if command.action == "commit":
                return transactions.commit(statement=True)
            transactions.rollback(statement=True)
            return command.tag
        finally:
            self._catalog.transaction_ended()

    def _two_phase_command(self, command: TransactionCommand) -> str:
        """PREPARE TRANSACTION, COMMIT PREPARED, ROLLBACK PREPARED as PostgreSQL 15 answers them with
        its default max_prepared_transactions = 0: outside a transaction block PREPARE TRANSACTION
        warns and does nothing (ROLLBACK), in a failed one it rolls back, in another it rolls back
        and fails (55000); no prepared transaction exists to commit or roll back (42704)."""
        transactions = self._transactions
        if command.action != "prepare_transaction":
            if transactions.block not in (None, "implicit"):
                raise DatabaseError(ACTIVE_SQL_TRANSACTION,
                                    f"{command.tag} cannot run inside a transaction block")
            raise DatabaseError(UNDEFINED_OBJECT,
                                f'prepared transaction with identifier "{command.name}" does not exist')
        if transactions.block in (None, "implicit"):
            transactions.notices_add(DatabaseError(NO_ACTIVE_SQL_TRANSACTION,
                                                   "there is no transaction in progress", severity="WARNING"))
            return "ROLLBACK"
        failed = transactions.failed
        try:
            transactions.rollback(statement=True)
        finally:
            self._catalog.transaction_ended()
        if failed:
            return "ROLLBACK"
        raise DatabaseError(OBJECT_NOT_IN_PREREQUISITE_STATE, "prepared transactions are disabled",
                            hint="Set max_prepared_transactions to a nonzero value.")

    def _explain(self, statement: PreparedStatement, params: Sequence[Any]) -> Cursor:
        """SQLite's plan of the statement, as text or in PostgreSQL's JSON shape (`explain_plans`);
        with ANALYZE after running it (its rows are not sent), with the time it took."""
        translation = statement.translation
        command = statement.utility
        assert translation is not None and isinstance(command, ExplainCommand)
        unbound = [None] * statement.sqlite_param_count  # the plan does not depend on the values
        rows: list[tuple[int, int, int, str]] = list(  # id, parent, unused, detail
            self._connection.execute(f"EXPLAIN QUERY PLAN {translation.sql}", unbound))
        actual = None
        if statement.cursor_query is not None:  # ANALYZE
            started = time.perf_counter()
            result = self._execute(statement.cursor_query, params)
            count = result.row_count if result.row_count is not None else len(result.fetch(0))
            actual = ((time.perf_counter() - started) * 1000, count)
        if command.json:
            plan = explain_plans.json_plan(rows, translation.command, translation.target, actual)
            return Cursor(statement.columns, "EXPLAIN", None, [(plan,)])
        depth: dict[int, int] = {0: -1}
        lines = []
        for node_id, parent, _, detail in rows:
            depth[node_id] = depth.get(parent, -1) + 1
            lines.append(("  " * depth[node_id] + ("->  " if depth[node_id] else "") + detail,))
        if actual is not None:
            lines.append((f"Execution Time: {actual[0]:.3f} ms",))
        return Cursor(statement.columns, "EXPLAIN", None, lines)

    def _error_context(self, statement: PreparedStatement, params: Sequence[Any]) -> ErrorContext:
        translation = statement.translation
        if translation is None or translation.target is None:
            return ErrorContext()
        info = self._catalog.table(translation.target)
        primary_keys = {translation.target: info.primary_key} if info is not None else {}
        values: dict[str, str] = {}
        for column, source in translation.key_sources:
            if isinstance(source, str):
                values[column] = source
            elif 0 < source <= len(params) and params[source - 1] is not None:
                oid = translation.param_types[source - 1].oid
                values[column] = casts.text_output(params[source - 1], oid, self.time_zone(),
                                                   self.text_style())
        indexes = info.key_indexes if info is not None else {}
        return ErrorContext(primary_keys, indexes, values, translation.target)


def _pins_timestamp(statement: PreparedStatement) -> bool:
    command = statement.utility
    return isinstance(command, SetCommand) and command.name.lower() == TRANSACTION_TIMESTAMP


def _pinned_timestamp(value: str | None) -> dt.datetime | None:
    """The value of SET heliosdb.transaction_timestamp (as reported: ISO 8601 with an offset)."""
    if value is None or not value.strip():
        return None
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise DatabaseError(INVALID_DATETIME_FORMAT,
                            f'invalid value for parameter "{TRANSACTION_TIMESTAMP}": "{value}"',
                            hint="Use the value the server reported, e.g. 2026-01-31T12:00:00.000001+00:00.")
    return moment.astimezone(dt.UTC)




class SQLiteEngine:
    """The engine (implements `interface.Engine`): store file data_dir/store.db."""

    def __init__(self, data_dir: Path, *, busy_timeout_ms: int = 5000,
                 default_lock_wait_ms: int | None = None,
                 max_result_bytes: int = DEFAULT_RESULT_LIMIT_BYTES) -> None:
        """busy_timeout_ms bounds SQLite's own waits outside statements; default_lock_wait_ms bounds
        a statement's wait for the writer when lock_timeout is 0 (None: as long as needed, as
        PostgreSQL waits for a lock); max_result_bytes bounds one statement's result in memory
        (`result_buffer`)."""
        self.max_result_bytes = max_result_bytes
        self._path = initialise(Path(data_dir), busy_timeout_ms)
        self.busy_timeout_ms = busy_timeout_ms
        self.default_lock_wait_s = math.inf if default_lock_wait_ms is None else default_lock_wait_ms / 1000
        self.cache: StatementCache[PreparedStatement] = StatementCache(2048)
        self.schema_generation = SchemaGeneration()
        self.unnormalisable: StatementCache[bool] = StatementCache(2048)  # keys of normalised texts
        self.normalised_once: StatementCache[bool] = StatementCache(2048)  # seen once, no template yet
        self.shape_templates: StatementCache[PreparedStatement] = StatementCache(2048)  # by mask
        self.transaction_statements: StatementCache[PreparedStatement] = StatementCache(256)  # BEGIN, END
        self._sessions: set[SQLiteSession] = set()
        self._lock = threading.Lock()
        self.advisory_locks = AdvisoryLocks()
        self.ran_long: set[str] = set()  # texts that outran a time budget: they run without one
        self.databases: DatabaseCatalog | None = None  # set by a server: CREATE/DROP DATABASE

    def listed_databases(self) -> list[tuple[int, str]] | None:
        """The server's databases for pg_database (None: no server, the session's own alone)."""
        return None if self.databases is None else self.databases.listed()

    @property
    def store_path(self) -> Path:
        return self._path

    def open_session(self, user: str, database: str, settings: dict[str, str],
                     transaction_log: TransactionLog | None = None) -> SQLiteSession:
        connection = open_connection(self._path, self.busy_timeout_ms)
        try:
            if transaction_log is not None:
                transaction_log.attached(connection)
            session = SQLiteSession(self, connection, user, database, settings, transaction_log)
        except BaseException:
            connection.close()
            raise
        with self._lock:
            self._sessions.add(session)
        return session

    def maintenance_connection(self) -> apsw.Connection:
        """A store connection with every engine function and collation registered (DDL, CHECK
        constraints and indexes may use them), for recovery and restore; the caller closes it."""
        connection = open_connection(self._path, self.busy_timeout_ms)
        SQLiteSession(self, connection, "heliosdb", "heliosdb", {})
        connection.set_wal_hook(self._maintenance_committed)  # its DDL (a standby applying) is no session's
        return connection

    def _maintenance_committed(self, _connection: apsw.Connection, _schema: str, _pages: int) -> int:
        """After each commit of a maintenance connection, which may have changed the schema (a DDL
        entry applied): the sessions read the schema version again."""
        self.schema_generation.moved()
        return apsw.SQLITE_OK

    def forget(self, session: SQLiteSession) -> None:
        with self._lock:
            self._sessions.discard(session)

    def close(self) -> None:
        with self._lock:
            sessions = list(self._sessions)
        for session in sessions:
            session.close()
