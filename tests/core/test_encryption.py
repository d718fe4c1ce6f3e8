"""Field-level encryption of the identifying fields of persons: nothing readable in the
database, tampering and misplaced values refused, lookups and search through keyed indexes,
key rotation, and the keyring's configuration."""

from __future__ import annotations

import base64
import json
from datetime import date
from io import StringIO

import pytest
from django.core.exceptions import FieldError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from continuum.audit.models import AuditEntry
from continuum.core import encryption, selectors, services
from continuum.core.models import Person
from tests.core.test_health_and_settings import _settings_in
from tests.factories import PersonFactory

SECRET = {
    "given_names": "Geheimvoornaam",
    "family_name": "Verborgenhuis",
    "aliases": "Schuilnaam\nDe Onbekende",
    "date_of_birth": date(1990, 4, 5),
    "national_identifier": "999876543",
}
ENCRYPTED = tuple(SECRET)
PLAINTEXTS = (
    "Geheimvoornaam",
    "Verborgenhuis",
    "Schuilnaam",
    "Onbekende",
    "1990-04-05",
    "19900405",
    "999876543",
)


def register(world, **data: object) -> Person:
    return services.person_register(
        actor=world["coordinator"],
        data={"custody_status": "not_in_custody", **SECRET, **data},
    )


def raw(person: Person, column: str) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM core_person WHERE id = %s", [person.pk])  # noqa: S608
        return cursor.fetchone()[0]


def write_raw(person: Person, column: str, value: str | None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE core_person SET {column} = %s WHERE id = %s", [value, person.pk])  # noqa: S608


def reloaded(person: Person) -> Person:
    return Person.objects.get(pk=person.pk)


@pytest.fixture
def keyring_file(settings, tmp_path):
    """A keyring of this test's own, in a file, so that rotating it touches nothing else."""
    settings.CONTINUUM_FIELD_KEYS = ""
    settings.CONTINUUM_FIELD_KEYS_FILE = tmp_path / "field_keys.json"
    encryption.keyring()  # generated, as in development
    return settings.CONTINUUM_FIELD_KEYS_FILE


def keys(*args: str) -> str:
    out = StringIO()
    call_command("keys", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


# --- nothing readable in the database -------------------------------------------------------


def test_raw_sql_shows_no_plaintext_of_any_encrypted_field(world):
    register(world)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM core_person")
        rows = cursor.fetchall()
    stored = " ".join(str(value) for row in rows for value in row)
    for plaintext in PLAINTEXTS:
        assert plaintext.casefold() not in stored.casefold(), plaintext


def test_every_encrypted_column_holds_a_versioned_token_with_its_key_id(world):
    person = register(world)
    current = encryption.keyring().current
    for column in ENCRYPTED:
        assert raw(person, column).startswith(f"v1:{current}:"), column


def test_it_reads_back_what_was_written(world):
    person = reloaded(register(world))
    assert {name: getattr(person, name) for name in ENCRYPTED} == SECRET


def test_equal_values_are_stored_differently(world):
    first = register(world)
    second = register(world, national_identifier="999876544")
    assert raw(first, "family_name") != raw(second, "family_name")


def test_empty_values_stay_empty_and_are_encrypted_too(world):
    person = reloaded(register(world, aliases="", date_of_birth=None, national_identifier=""))
    assert (person.aliases, person.date_of_birth, person.national_identifier) == ("", None, None)
    assert raw(person, "aliases").startswith("v1:")
    assert raw(person, "national_identifier") is None
    assert raw(person, "national_identifier_index") is None


# --- tampering and misplaced values ---------------------------------------------------------


def flip_a_byte(token: str) -> str:
    version, key_id, nonce, sealed = token.split(":")
    data = bytearray(base64.urlsafe_b64decode(sealed + "=" * (-len(sealed) % 4)))
    data[3] ^= 0x01
    return ":".join([version, key_id, nonce, base64.urlsafe_b64encode(data).decode().rstrip("=")])


@pytest.mark.parametrize("column", ENCRYPTED)
def test_a_flipped_byte_fails_to_decrypt(world, column):
    person = register(world)
    write_raw(person, column, flip_a_byte(raw(person, column)))
    with pytest.raises(encryption.DecryptionError, match="does not authenticate"):
        getattr(reloaded(person), column)


def test_a_value_copied_into_another_row_fails_to_decrypt(world):
    victim = register(world)
    other = register(world, national_identifier="999876544", family_name="Anders")
    write_raw(other, "family_name", raw(victim, "family_name"))
    with pytest.raises(encryption.DecryptionError, match=f"family_name of row {other.reference}"):
        reloaded(other).family_name  # noqa: B018


def test_a_value_moved_to_another_column_fails_to_decrypt(world):
    person = register(world)
    write_raw(person, "family_name", raw(person, "given_names"))
    with pytest.raises(encryption.DecryptionError, match="copied from another row or column"):
        reloaded(person).family_name  # noqa: B018


def test_a_value_under_an_unknown_key_says_which_key_is_missing(world):
    person = register(world)
    version, _key_id, nonce, sealed = raw(person, "given_names").split(":")
    write_raw(person, "given_names", ":".join([version, "k-removed", nonce, sealed]))
    with pytest.raises(encryption.UnknownKeyError, match="'k-removed' is not in the keyring"):
        reloaded(person).given_names  # noqa: B018


def test_a_malformed_token_is_refused(world):
    person = register(world)
    write_raw(person, "given_names", "Geheimvoornaam")
    with pytest.raises(encryption.DecryptionError, match="not a v1 token"):
        reloaded(person).given_names  # noqa: B018


# --- writes and filters that would bypass encryption ------------------------------------------


def test_a_queryset_update_cannot_store_plaintext(world):
    register(world)
    with pytest.raises(encryption.EncryptionError, match="write it with save"):
        Person.objects.update(family_name="Inzicht")


def test_filtering_on_an_encrypted_field_is_refused_instead_of_matching_nothing(world):
    with pytest.raises(FieldError, match="encrypted and cannot be filtered"):
        Person.objects.filter(family_name="Verborgenhuis").exists()
    assert Person.objects.filter(national_identifier__isnull=True).count() == 0


def test_a_person_without_a_reference_cannot_be_encrypted(world):
    with pytest.raises(encryption.EncryptionError, match="before the row has its reference"):
        Person(registered_by=world.institution, custody_status="released", **SECRET).save()


# --- lookups through the keyed indexes ------------------------------------------------------


def test_the_national_identifier_is_found_through_its_index(world):
    person = register(world)
    for query in ("999876543", " 999 876 543 "):
        found = selectors.person_search(actor=world["coordinator"], query=query)
        assert [p.reference for p in found] == [person.reference], query


def test_a_duplicate_identifier_written_differently_is_refused(world):
    register(world)
    with pytest.raises(services.InvalidInput) as refused:
        register(world, national_identifier="999 876 543")
    assert refused.value.fields == {
        "national_identifier": ["A person with this national identifier is already registered."]
    }


def test_the_database_refuses_a_duplicate_index_as_a_backstop(world):
    register(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        PersonFactory(national_identifier="999876543")


def test_changing_the_identifier_moves_its_index(world):
    person = register(world)
    services.person_update(
        actor=world["coordinator"], person=person, data={"national_identifier": "999000777"}
    )
    search = selectors.person_search
    assert search(actor=world["coordinator"], query="999876543") == []
    assert search(actor=world["coordinator"], query="999000777") == [person]


@pytest.mark.parametrize(
    "query", ["Verborgenhuis", "verborgen", "VER", "geheimvoornaam", "onbekende", "de", "Onbékende"]
)
def test_search_finds_whole_words_and_word_prefixes_of_names_and_aliases(world, query):
    person = register(world)
    assert selectors.person_search(actor=world["coordinator"], query=query) == [person]


@pytest.mark.parametrize("query", ["borgenhuis", "ve", "Verborgenhuisje", "oordnaam"])
def test_search_does_not_match_inside_words_or_short_prefixes(world, query):
    register(world)
    assert selectors.person_search(actor=world["coordinator"], query=query) == []


def test_search_follows_changed_names(world):
    person = register(world)
    services.person_update(actor=world["coordinator"], person=person, data={"aliases": "Nieuwnaam"})
    assert selectors.person_search(actor=world["coordinator"], query="nieuwnaam") == [person]
    assert selectors.person_search(actor=world["coordinator"], query="schuilnaam") == []


def test_search_results_are_sorted_by_name(world):
    for family, number in (("Zwart", "1"), ("Adema", "2"), ("Mulder", "3")):
        register(world, family_name=family, given_names="Sam", national_identifier=number)
    found = selectors.person_search(actor=world["coordinator"], query="sam")
    assert [p.family_name for p in found] == ["Adema", "Mulder", "Zwart"]


def test_search_tokens_reveal_no_words_and_no_word_order(world):
    person = register(world)
    tokens = raw(person, "search_tokens")
    assert tokens.split() == sorted(tokens.split())
    assert all(len(token) == 16 for token in tokens.split())


# --- rotation -------------------------------------------------------------------------------


def test_after_rotation_and_removal_of_the_old_key_every_row_reads(world, keyring_file):
    people = [register(world, national_identifier=f"99911122{n}") for n in range(3)]
    old = encryption.keyring().current
    output = keys("rotate", "--batch-size", "2")
    new = encryption.keyring().current
    assert new != old
    assert "Re-encrypted 15 values in 3 rows" in output
    assert keys("remove", old).startswith(f"Removed key {old}")
    assert old not in json.loads(keyring_file.read_text())["keys"]
    for person in people:
        fresh = reloaded(person)
        assert {name: getattr(fresh, name) for name in ENCRYPTED} == {
            **SECRET,
            "national_identifier": person.national_identifier,
        }
        assert raw(person, "given_names").startswith(f"v1:{new}:")
    assert selectors.person_search(actor=world["coordinator"], query="999111220") == people[:1]


def test_rotation_writes_no_audit_entry_and_changes_no_timestamps(world, keyring_file):
    person = register(world)
    entries = AuditEntry.objects.count()
    keys("rotate")
    assert AuditEntry.objects.count() == entries
    assert reloaded(person).updated_at == person.updated_at


def test_a_key_still_in_use_cannot_be_removed(world, keyring_file):
    register(world)
    old = encryption.keyring().current
    with pytest.raises(CommandError, match="current key"):
        keys("remove", old)
    ring = encryption.keyring().with_new_current_key()
    encryption.write_keyring_file(keyring_file, ring)  # a new key, but nothing re-encrypted
    with pytest.raises(CommandError, match=f"5 values are still encrypted with {old}"):
        keys("remove", old)


def test_status_counts_the_values_under_each_key(world, keyring_file):
    register(world)
    current = encryption.keyring().current
    output = keys("status")
    assert f"Keyring: file {keyring_file}" in output
    assert f"{current:<24} {5:>8}  current" in output


def test_rotating_keys_from_the_environment_prints_the_new_keyring(world, settings):
    ring = encryption.Keyring.generate(encryption.KeySource(path=None))
    settings.CONTINUUM_FIELD_KEYS = ring.to_json()
    person = register(world)
    rotated = json.loads(keys("rotate"))
    assert set(rotated["keys"]) == {ring.current, rotated["current"]}
    assert raw(person, "given_names").startswith(f"v1:{ring.current}:"), "nothing re-encrypted"
    settings.CONTINUUM_FIELD_KEYS = json.dumps(rotated)
    assert "Re-encrypted 5 values in 1 rows" in keys("reencrypt")
    assert reloaded(person).given_names == SECRET["given_names"]


def test_a_rotation_keeps_keys_written_meanwhile_by_another_rotation(keyring_file):
    stale = encryption.keyring()
    elsewhere = stale.with_new_current_key()
    encryption.write_keyring_file(keyring_file, elsewhere)  # another rotation got there first
    rotated = encryption.change_keyring_file(keyring_file, encryption.Keyring.with_new_current_key)
    assert set(rotated.keys) == {stale.current, elsewhere.current, rotated.current}


def test_status_flags_values_under_a_key_the_keyring_lacks(world, keyring_file):
    person = register(world)
    version, _key_id, nonce, sealed = raw(person, "aliases").split(":")
    write_raw(person, "aliases", ":".join([version, "k-lost", nonce, sealed]))
    assert "NOT IN THE KEYRING" in keys("status")


# --- the keyring's configuration ------------------------------------------------------------


def test_development_generates_a_keyring_readable_by_its_owner_only(keyring_file):
    assert oct(keyring_file.stat().st_mode & 0o777) == "0o600"
    ring = json.loads(keyring_file.read_text())
    assert ring["current"] in ring["keys"]


def test_production_refuses_to_start_without_field_keys(tmp_path):
    result = _settings_in(
        {
            "CONTINUUM_ENV": "production",
            "SECRET_KEY": "k" * 60,
            "ALLOWED_HOSTS": "example.test",
            "CONTINUUM_VAR_DIR": str(tmp_path),
            "CONTINUUM_FIELD_KEYS": "",
        },
        "1",
    )
    assert result.returncode != 0
    assert "CONTINUUM_FIELD_KEYS or CONTINUUM_FIELD_KEYS_FILE" in result.stderr
    assert not (tmp_path / "field_keys.json").exists()


def test_production_never_generates_a_missing_keyring_file(settings, tmp_path):
    settings.PRODUCTION = True
    settings.CONTINUUM_FIELD_KEYS = ""
    settings.CONTINUUM_FIELD_KEYS_FILE = tmp_path / "gone.json"
    with pytest.raises(encryption.KeyringError, match="No field keyring"):
        encryption.keyring()


def test_production_refuses_a_keyring_file_others_can_read(settings, keyring_file):
    keyring_file.chmod(0o644)
    settings.PRODUCTION = True
    with pytest.raises(encryption.KeyringError, match="readable by its owner only"):
        encryption.keyring()


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("not json", "not valid JSON"),
        ('{"current": "a"}', "needs a 'keys' object"),
        ('{"current": "b", "keys": {"a": "%s"}, "index_key": "%s"}', "name its current key"),
        ('{"current": "a", "keys": {"a": "c2hvcnQ="}, "index_key": "%s"}', "must be 32 bytes"),
    ],
)
def test_a_malformed_keyring_is_refused_with_a_clear_message(settings, document, message):
    key = base64.b64encode(b"x" * 32).decode()
    settings.CONTINUUM_FIELD_KEYS = document.replace("%s", key)
    with pytest.raises(encryption.KeyringError, match=message):
        encryption.keyring()


def test_errors_never_show_key_material(settings):
    ring = encryption.Keyring.generate(encryption.KeySource(path=None))
    assert base64.b64encode(ring.keys[ring.current]).decode() not in repr(ring)


# --- the migration of existing rows ---------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_existing_rows(world):
    executor = MigrationExecutor(connection)
    executor.migrate([("core", "0001_initial")])
    executor.loader.build_graph()
    old = executor.loader.project_state([("core", "0001_initial")]).apps
    OldPerson = old.get_model("core", "Person")
    OldPerson.objects.create(
        reference="P-OLD234",
        registered_by_id=world.institution.pk,
        custody_status="released",
        **SECRET,
    )
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    person = Person.objects.get(reference="P-OLD234")
    assert {name: getattr(person, name) for name in ENCRYPTED} == SECRET
    for column in ENCRYPTED:
        assert raw(person, column).startswith("v1:")
    assert selectors.person_search(actor=world["coordinator"], query="999876543") == [person]
    assert selectors.person_search(actor=world["coordinator"], query="verborgen") == [person]
