"""The benchmark command works (its figures are for docs/benchmarks.md, not for tests)."""

from __future__ import annotations

import random

from continuum.audit import benchmark, canonical


def test_the_benchmark_runs_on_a_small_log(run_audit, django_db_blocker):
    """It builds its own throw-away database; the test database is not involved."""
    with django_db_blocker.unblock():
        code, output = run_audit("benchmark", "--entries", "2500", "--batch-size", "1000")
    assert code == 0, output
    assert "2,500 entries" in output
    assert "verifier (continuum audit verify)" in output
    assert "verifier / fastest floor" in output
    assert "verification: OK (2,500 entries, 2 checkpoints)" in output


def test_the_two_floors_compute_the_same_chain():
    contents = [b'{"a":1}', b'{"a":2}', b"{}"]
    assert benchmark.floor_copied(b"k" * 32, contents, "0" * 64) == benchmark.floor_new(
        b"k" * 32, contents, "0" * 64
    )


def test_the_generated_entries_are_the_size_of_real_ones():
    """Entries the application writes are 350 to 500 bytes of canonical JSON."""
    stream = benchmark.realistic_facts(random.Random(1))
    sizes = [len(canonical.content(next(stream), sequence=n, key_id="0" * 16)) for n in range(500)]
    assert 350 <= sum(sizes) / len(sizes) <= 500
