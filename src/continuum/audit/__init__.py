"""The audit log: one append-only, hash-chained record of every event in Continuum.

Read this to know what the log promises and how to check it.

What is recorded
    Every sign-in, read, list, change, disclosure, export and erasure, with who (user,
    membership, agency, role), when, what (object, person, case, field-level changes with
    identifying values redacted), why (the justification) and from where (request id, client
    address). Services call :func:`continuum.audit.services.record` inside the transaction of
    the change, so a change and its entry commit or roll back together.

How it is protected
    1. *Sealed content.* Each entry is one canonical JSON text (:mod:`.canonical`), sealed with
       HMAC-SHA256 under a key kept outside the database, chained to the entry before it
       (:mod:`.chain`, :mod:`.keys`). Editing, inserting, reordering or deleting entries breaks
       the chain; without the key, it cannot be mended.
    2. *Derived columns.* Every searchable column is computed by the database from the sealed
       text (generated columns, :mod:`.expressions`), so what the pages show is what is sealed.
    3. *Triggers.* The database refuses UPDATE and DELETE of entries (:mod:`.triggers`).
    4. *Checkpoints.* The head of the chain is signed into a file outside the database every
       ``CONTINUUM_AUDIT_CHECKPOINT_EVERY`` entries and on ``continuum audit checkpoint``
       (:mod:`.checkpoints`), so losing the newest entries shows too.

How to check it
    ``continuum audit verify`` (:mod:`.verify`) recomputes every seal and compares the log
    with every checkpoint; it names the first entry that fails and exits with 1. Run it
    from cron next to ``continuum audit checkpoint``, and keep the checkpoint file and the
    key on other storage than the database.

Who reads it
    The data-protection officer, on the pages under ``/audit/`` (list with filters, and an
    export of everything about one person, which is itself recorded). Nobody else.

What it does not do
    Someone who holds both the key and write access to the database can rewrite the log after
    the newest checkpoint they cannot also rewrite: keep the key and the checkpoints away from
    the database's administrators, and ship checkpoint lines to write-once storage.
"""
