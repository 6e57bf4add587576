"""Where two journals' epoch histories part (`replication.history.fork_lsn`)."""

from __future__ import annotations

from heliosdb_lite.replication.history import EpochSpan, fork_lsn


def test_a_prefix_parts_after_its_last_entry() -> None:
    assert fork_lsn([EpochSpan(1, 10, 0)], [EpochSpan(1, 30, 0)]) == 11


def test_an_old_primary_parts_where_the_promotion_entry_is() -> None:
    old = [EpochSpan(1, 25, 0)]
    new = [EpochSpan(1, 20, 0), EpochSpan(21, 40, 1)]
    assert fork_lsn(old, new) == 21


def test_epochs_the_other_side_never_had_part_at_their_first_lsn() -> None:
    mine = [EpochSpan(1, 50, 0), EpochSpan(51, 60, 3)]
    theirs = [EpochSpan(1, 40, 0), EpochSpan(41, 90, 2)]
    assert fork_lsn(mine, theirs) == 41


def test_entries_beyond_the_other_side_in_the_same_epoch_part_after_its_end() -> None:
    assert fork_lsn([EpochSpan(1, 30, 1)], [EpochSpan(1, 20, 1)]) == 21


def test_lsns_released_by_the_other_side_count_as_equal() -> None:
    mine = [EpochSpan(1, 30, 0), EpochSpan(31, 35, 1)]
    theirs = [EpochSpan(25, 30, 0), EpochSpan(31, 70, 1)]
    assert fork_lsn(mine, theirs) == 36
