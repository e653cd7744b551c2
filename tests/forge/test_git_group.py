"""Gathering queued status writes into one commit."""

from __future__ import annotations

from forge.samples import PAO
from pao.forge.git import Identity
from pao.forge.git._group import CommitQueue, Write, batch_message

OTHER = Identity("other", "other@acme.example")


def test_one_write_keeps_its_message() -> None:
    assert batch_message([Write({}, "Status of orders\n\nbody", PAO)]) == (
        "Status of orders\n\nbody"
    )


def test_several_writes_are_summarised() -> None:
    writes = [Write({}, "Status of a\n\nbody", PAO), Write({}, "Status of b", PAO)]

    assert batch_message(writes) == (
        "Write 2 status updates\n\n* Status of a\n* Status of b"
    )


def test_a_claim_takes_the_waiting_writes_of_its_author() -> None:
    queue = CommitQueue()
    first = Write({"status/a": b"1"}, "a", PAO)
    assert queue.claim(first) == [first]  # nobody busy: commit it yourself
    queue.release()

    mine, theirs, later = (
        Write({}, m, a) for m, a in [("m", PAO), ("t", OTHER), ("l", PAO)]
    )
    queue._waiting += [theirs, later]

    assert queue.claim(mine) == [later, mine]
    assert queue._waiting == [theirs]  # left for its own thread to commit


def test_a_finished_write_is_not_claimed_again() -> None:
    queue = CommitQueue()
    write = Write({}, "m", PAO)
    write.finish("abc123")

    assert queue.claim(write) is None
    assert write.outcome() == "abc123"
