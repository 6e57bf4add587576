"""Transaction Replay: the commit protocol, start-up recovery, GTID outcomes and fencing.

Composes the journal (durability, knows no SQL) with the store (SQLite through APSW): every
writing transaction leaves a `_helios_txn` row and a journal entry with the same LSN, so after
any crash the two can be reconciled exactly once.
"""
