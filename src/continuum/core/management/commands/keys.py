"""``continuum keys status|rotate|reencrypt|remove|generate``: the keys of field encryption.

Rotating a key in a keyring file: ``keys rotate`` writes a new current key into the file
(running servers notice the change and use it) and re-encrypts every value with it; then
``keys remove <old key id>`` drops the old key, refusing while any value still needs it.

With the keyring in ``CONTINUUM_FIELD_KEYS`` this command cannot change the servers'
environment, so ``keys rotate`` prints the new value and stops: re-encrypting before every
server has the new key would make values unreadable to them. Deploy the value, then run
``keys reencrypt``, then ``keys remove`` and deploy the value it prints.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from continuum.core import encryption, selectors, services


class Command(BaseCommand):
    help = "Show, rotate and remove the keys that encrypt the identifying fields of persons."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("status", help="Key ids and how many stored values each encrypts.")
        rotate = actions.add_parser(
            "rotate", help="Make a new current key and re-encrypt every value with it."
        )
        reencrypt = actions.add_parser(
            "reencrypt", help="Re-encrypt the values that are not under the current key."
        )
        for action in (rotate, reencrypt):
            action.add_argument("--batch-size", type=int, default=200, help="Rows per transaction.")
        remove = actions.add_parser("remove", help="Remove a key that no value uses any more.")
        remove.add_argument("key_id")
        actions.add_parser("generate", help="Print a new keyring, for a new installation.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except (encryption.KeyringError, encryption.EncryptionError) as error:
            raise CommandError(str(error)) from error

    def _status(self, options: dict[str, Any]) -> None:
        ring = encryption.keyring()
        counts = selectors.encrypted_value_counts()
        self.stdout.write(f"Keyring: {ring.source}")
        self.stdout.write(f"{'key id':<24} {'values':>8}")
        for key_id in sorted(set(ring.keys) | set(counts)):
            if key_id == ring.current:
                note = "current"
            elif key_id not in ring.keys:
                note = "NOT IN THE KEYRING: these values cannot be read"
            else:
                note = "decrypts only"
            self.stdout.write(f"{key_id:<24} {counts[key_id]:>8}  {note}")

    def _rotate(self, options: dict[str, Any]) -> None:
        ring = encryption.keyring()
        if ring.source.path is None:
            rotated = ring.with_new_current_key()
            self._print_for_environment(
                rotated,
                f"New current key {rotated.current}; the old keys still decrypt. Nothing was "
                "re-encrypted: set CONTINUUM_FIELD_KEYS to the value above on every server, "
                "then run `continuum keys reencrypt`.",
            )
            return
        rotated = encryption.change_keyring_file(
            ring.source.path, encryption.Keyring.with_new_current_key
        )
        self.stdout.write(f"New current key {rotated.current} written to {ring.source.path}.")
        self._reencrypt(options)

    def _reencrypt(self, options: dict[str, Any]) -> None:
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        report = services.encrypted_values_reencrypt(batch_size=options["batch_size"])
        self.stdout.write(
            f"Re-encrypted {report.values} values in {report.rows} rows with key {report.key_id}."
        )
        older = {k: n for k, n in selectors.encrypted_value_counts().items() if k != report.key_id}
        if any(older.values()):
            self.stdout.write(f"Still under older keys: {older}. Run `keys reencrypt` again.")
        else:
            self.stdout.write("Every value is under the current key; older keys can be removed.")

    def _remove(self, options: dict[str, Any]) -> None:
        ring = encryption.keyring()
        key_id = options["key_id"]
        if key_id not in ring.keys:
            raise CommandError(f"There is no key {key_id} in the keyring ({ring.source}).")
        if key_id == ring.current:
            raise CommandError(f"{key_id} is the current key; rotate before removing it.")
        in_use = selectors.encrypted_value_counts()[key_id]
        if in_use:
            raise CommandError(
                f"{in_use} values are still encrypted with {key_id}; run "
                "`continuum keys reencrypt` first."
            )
        if ring.source.path is None:
            self._print_for_environment(
                ring.without(key_id),
                f"Set CONTINUUM_FIELD_KEYS to the value above to remove {key_id}.",
            )
            return
        encryption.change_keyring_file(ring.source.path, lambda ring: ring.without(key_id))
        self.stdout.write(f"Removed key {key_id} from {ring.source.path}.")

    def _generate(self, options: dict[str, Any]) -> None:
        ring = encryption.Keyring.generate(encryption.KeySource(path=None))
        self.stdout.write(ring.to_json())
        self.stderr.write(
            "A new keyring: store it as a secret (CONTINUUM_FIELD_KEYS, or a file with mode "
            "0600 named by CONTINUUM_FIELD_KEYS_FILE), not beside the database backups."
        )

    def _print_for_environment(self, ring: encryption.Keyring, advice: str) -> None:
        self.stdout.write(ring.to_json())
        self.stderr.write(advice)
