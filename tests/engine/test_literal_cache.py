"""The literal-normalised translation cache: statements differing only in literals share one
translation (pgbench -M simple), results and types stay right, unsafe literals stay literal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from heliosdb_lite.engine.session import SQLiteEngine, SQLiteSession
from heliosdb_lite.engine.sql import literal_normalisation as literals
from heliosdb_lite.engine.sql.literal_normalisation import Normalised, normalise
from heliosdb_lite.engine.types import pgtypes as t

from .helpers import columns, error, rows, run, value

PGBENCH_SETUP = (  # pgbench -i's statements (/work/shared/reference/wire-captures/pgbench-init-and-run.log)
    "create table pgbench_history(tid int,bid int,aid    int,delta int,mtime timestamp,filler char(22))",
    "create table pgbench_tellers(tid int not null,bid int,tbalance int,filler char(84))"
    " with (fillfactor=100)",
    "create table pgbench_accounts(aid    int not null,bid int,abalance int,filler char(84))"
    " with (fillfactor=100)",
    "create table pgbench_branches(bid int not null,bbalance int,filler char(88)) with (fillfactor=100)",
    "insert into pgbench_branches(bid,bbalance) values(1,0)",
    "insert into pgbench_tellers(tid,bid,tbalance) values (1,1,0)",
    "insert into pgbench_tellers(tid,bid,tbalance) values (2,1,0)",
    "insert into pgbench_accounts(aid,bid,abalance) values (63595,1,0)",
    "insert into pgbench_accounts(aid,bid,abalance) values (7,1,0)",
)


def tpcb(aid: int, tid: int, delta: int) -> list[str]:
    """pgbench's built-in tpcb-like script as `-M simple` sends it (literals inlined)."""
    return [
        f"UPDATE pgbench_accounts SET abalance = abalance + {delta} WHERE aid = {aid}",
        f"SELECT abalance FROM pgbench_accounts WHERE aid = {aid}",
        f"UPDATE pgbench_tellers SET tbalance = tbalance + {delta} WHERE tid = {tid}",
        f"UPDATE pgbench_branches SET bbalance = bbalance + {delta} WHERE bid = 1",
        f"INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES ({tid}, 1, {aid}, {delta}, "
        "CURRENT_TIMESTAMP)",
    ]


@pytest.fixture
def pgbench(session: SQLiteSession) -> SQLiteSession:
    for sql in PGBENCH_SETUP:
        run(session, sql)
    return session


def test_pgbench_simple_statements_share_one_translation_each(pgbench: SQLiteSession,
                                                                engine: SQLiteEngine) -> None:
    """A text's first sighting is translated as written (most texts never come back); from its
    second, with whatever literals, the statements share one translation of the normalised text."""
    first = [pgbench.prepare(sql, ()) for sql in tpcb(63595, 2, -2329)]
    assert all(statement.literals == () for statement in first)
    second = [pgbench.prepare(sql, ()) for sql in tpcb(7, 1, 4321)]
    entries = len(engine.cache)
    third = [pgbench.prepare(sql, ()) for sql in tpcb(12, 3, 5)]
    assert len(engine.cache) == entries
    for a, b in zip(second, third, strict=True):
        assert a.translation is b.translation
        assert a.param_oids == b.param_oids == ()  # the literals are not the client's parameters
        assert a.literals != b.literals


def test_pgbench_simple_transactions_give_correct_results(pgbench: SQLiteSession) -> None:
    expected_balance = {63595: 0, 7: 0}
    for aid, tid, delta in [(63595, 2, -2329), (7, 1, 4321), (63595, 1, 100), (7, 2, -5)]:
        run(pgbench, "BEGIN")
        statements = tpcb(aid, tid, delta)
        run(pgbench, statements[0])
        expected_balance[aid] += delta
        assert rows(pgbench, statements[1]) == [(expected_balance[aid],)]
        for sql in statements[2:]:
            assert run(pgbench, sql).fetch(0) == []
        run(pgbench, "END")
    assert value(pgbench, "select bbalance from pgbench_branches") == 4321 - 2329 + 100 - 5
    assert rows(pgbench, "select tid, tbalance from pgbench_tellers order by tid") == [(1, 4421), (2, -2334)]
    assert rows(pgbench, "select aid, delta from pgbench_history order by delta") == [
        (63595, -2329), (7, -5), (63595, 100), (7, 4321)]


def test_select_list_constants_keep_their_own_types(session: SQLiteSession) -> None:
    assert columns(session, "select 1") == [("?column?", t.INT4, -1)]
    assert columns(session, "select 'a'") == [("?column?", t.TEXT, -1)]
    assert value(session, "select 1") == 1
    assert value(session, "select 'a'") == "a"


def test_operand_types_follow_the_literal(session: SQLiteSession) -> None:
    run(session, "create table n (a int)")
    run(session, "insert into n values (10)")
    cases = [("a + 1", t.INT4, 11), ("a + 3000000000", t.INT8, 3000000010),
             ("a + 1.50", t.NUMERIC, Decimal("11.50")), ("a * 2", t.INT4, 20), ("a - 1", t.INT4, 9),
             ("a - -1", t.INT4, 11), ("a + -2147483648", t.INT4, -2147483638)]
    for expression, oid, result in cases:
        sql = f"select {expression} as r from n"
        assert columns(session, sql) == [("r", oid, -1)]
        assert value(session, sql) == result
    assert session.prepare("select a + 1 as r from n", ()).translation \
        is session.prepare("select a + 7 as r from n", ()).translation
    assert session.prepare("select a + 1 as r from n", ()).translation \
        is not session.prepare("select a + 1.5 as r from n", ()).translation


def test_order_by_and_group_by_positions_stay_positional(session: SQLiteSession) -> None:
    run(session, "create table p (a int, b int)")
    run(session, "insert into p values (1, 20), (2, 10)")
    assert rows(session, "select a, b from p order by 1") == [(1, 20), (2, 10)]
    assert rows(session, "select a, b from p order by 2") == [(2, 10), (1, 20)]
    assert rows(session, "select b, count(*) from p group by 1 order by 1 limit 1") == [(10, 1)]
    assert rows(session, "select a from p order by 1 limit 1") == [(1,)]
    assert rows(session, "select a from p order by 1 limit 2") == [(1,), (2,)]
    assert rows(session, "select a from p order by 1 limit 1 offset 1") == [(2,)]


def test_strings_take_the_type_their_context_gives(session: SQLiteSession) -> None:
    run(session, "create table d (day date, name varchar(3))")
    run(session, "insert into d values ('2020-01-02', 'abc')")
    run(session, "insert into d values ('2021-03-04', 'xy')")
    assert rows(session, "select name from d where day = '2021-03-04'") == [("xy",)]
    assert rows(session, "select day from d where name = 'abc'") == [(dt.date(2020, 1, 2),)]
    assert rows(session, "select name from d where day > '2020-06-01'") == [("xy",)]
    assert error(session, "select name from d where day = '2020-13-45'").sqlstate == "22008"
    assert error(session, "insert into d values ('2022-01-01', 'abcd')").sqlstate == "22001"
    assert value(session, "select count(*) from d where name = 'it''s'") == 0


def test_unique_violation_names_the_literal_key(session: SQLiteSession) -> None:
    run(session, "create table u (id int primary key, v text)")
    run(session, "insert into u values (5, 'a')")
    failure = error(session, "insert into u values (5, 'b')")
    assert failure.sqlstate == "23505"
    assert failure.detail == "Key (id)=(5) already exists."


@pytest.mark.parametrize("sql", [
    "create table t (a varchar(20) default 'x' check (a > 'b'))",
    "set statement_timeout = 5",
    "select x::varchar(20) from t",
    "select * from t where d = date '2020-01-01'",
    "select * from t where i < interval '1 day'",
    "select * from t where a = '1'::int",
    "select * from t where a = E'x\\n'",
    "select * from t where a = $$x$$",
    "select * from t where a = 1e5",
    "select a from t order by 1",
    "select a, count(*) from t group by 1, 2",
    "select round(a, 2), substr(b, 1, 3) from t",
    "select * from t where a = $1 and b = 2",
    "select 1 into x from t where a = 5",
    "select 1, 'a'",
])
def test_unsafe_literals_are_not_normalised(sql: str) -> None:
    assert normalise(sql) is None


def test_normalised_text_and_parameter_types() -> None:
    normalised = normalise("insert into t values (1, 'a''b', 2.50, 3000000000, -4), (5, now(), 'x'::text)"
                           " returning a + 6")
    assert normalised is not None
    assert normalised.sql == ("insert into t values ($1, $2, $3, $4, $5), ($6, now(), 'x'::text)"
                              " returning a + $7")
    assert normalised.param_oids == (t.INT4, 0, t.NUMERIC, t.INT8, t.INT4, t.INT4, t.INT4)
    assert normalised.texts == ("1", "a'b", "2.50", "3000000000", "-4", "5", "6")


def test_unary_minus_joins_the_number_and_binary_minus_does_not() -> None:
    negated = normalise("select a + -2147483648 as r from t where b = -1")
    assert negated is not None
    assert (negated.sql, negated.param_oids, negated.texts) == (
        "select a + $1 as r from t where b = $2", (t.INT4, t.INT4), ("-2147483648", "-1"))
    binary = normalise("select a - 1 as r from t")
    assert binary is not None
    assert (binary.sql, binary.texts) == ("select a - $1 as r from t", ("1",))


def test_a_normalisation_that_changes_the_result_falls_back_to_the_exact_text(
        session: SQLiteSession, engine: SQLiteEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    """The safety net: were a literal replaced where its parameter would type differently (here an
    untyped parameter standing for an integer), the statement runs as written, and the normalised
    form is remembered as unusable."""
    def wrong(sql: str) -> Normalised | None:
        return Normalised("select $1 as r", (0,), ("5",)) if sql == "select 5 as r" else None

    monkeypatch.setattr(literals, "normalise", wrong)
    for _ in range(2):
        statement = session.prepare("select 5 as r", ())
        assert statement.literals == ()
        assert [(c.name, c.type_oid) for c in statement.columns or ()] == [("r", t.INT4)]
        assert session.execute(statement, ()).fetch(0) == [(5,)]
    assert len(engine.unnormalisable) == 1


def test_a_constant_kept_in_the_normalised_text_tells_translations_apart(session: SQLiteSession) -> None:
    """Texts of one mask share a translation only when the constants normalising keeps (an ORDER BY
    position here) are the same: `ORDER BY 1` and `ORDER BY 2` are two translations."""
    run(session, "create table kept(a int, b int)")
    run(session, "insert into kept values (1, 20), (2, 10)")
    for low in (0, -1, 0):  # the first sighting, then the shared translation
        assert rows(session, f"SELECT a, b FROM kept WHERE a > {low} ORDER BY 1") == [(1, 20), (2, 10)]
    assert rows(session, "SELECT a, b FROM kept WHERE a > 0 ORDER BY 2") == [(2, 10), (1, 20)]
    assert rows(session, "SELECT a, b FROM kept WHERE a > -5 ORDER BY 2") == [(2, 10), (1, 20)]


def test_a_transaction_command_is_prepared_once_for_every_session(engine: SQLiteEngine) -> None:
    """BEGIN, COMMIT, END and the like are prepared alike in every session: the second session
    gets the first one's statement, modes and all, without parsing the text again."""
    first, second = (engine.open_session("postgres", "postgres", {}) for _ in range(2))
    text = "BEGIN ISOLATION LEVEL REPEATABLE READ;"
    prepared = first.prepare(text, ())
    assert second.prepare(text, ()) is prepared
    second.execute(prepared, [])
    assert value(second, "SHOW transaction_isolation") == "repeatable read"
    run(second, "END")
    assert value(second, "SHOW transaction_isolation") == "read committed"
