"""A COMMIT the server received completes even if the client hangs up without reading the answer
(docs/design.md: "If the connection drops after the server received COMMIT, the commit still
completes"), and the outcome lookup then reports it committed."""

from __future__ import annotations

import socket
import uuid

import psycopg

from tests.server.wire import start_session
from testsupport.server_process import ServerProcess


def test_commit_sent_just_before_hanging_up_still_commits(server: ServerProcess) -> None:
    with psycopg.connect(server.dsn, autocommit=True) as setup:
        setup.execute("CREATE TABLE parcels (id integer PRIMARY KEY)")
    gtid = str(uuid.uuid4())
    started = start_session(server.host, server.port)
    raw = started.connection
    for statement in ("BEGIN", f"SET heliosdb.gtid = '{gtid}'", "INSERT INTO parcels VALUES (1)"):
        raw.send_query(statement)
        assert raw.read_until_ready()[-1].body == b"T"
    raw.send_query("COMMIT")
    raw.sock.shutdown(socket.SHUT_RDWR)
    raw.close()

    with psycopg.connect(server.dsn, autocommit=True) as checker:
        # The lookup needs the writer slot, which the transaction holds until its COMMIT is done.
        status = checker.execute("SELECT status FROM heliosdb_txn_outcome(%s)", (gtid,)).fetchone()
        assert status == ("committed",)
        assert checker.execute("SELECT count(*) FROM parcels").fetchone() == (1,)
