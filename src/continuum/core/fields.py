"""Model fields for encrypted values and their keyed hash indexes.

Design: the associated data of every value names its row (see :mod:`.encryption`), but
Django's ``from_db_value`` does not know the row. So loading and decrypting are two steps:

1. ``from_db_value`` wraps the stored token in a :class:`Sealed` value, undecrypted.
2. The attribute on the model (a :class:`SealedAttribute` descriptor) decrypts it on first
   read with the instance's row binding (``reference``), and keeps the plaintext on the
   instance. Code that uses ``person.family_name`` sees plaintext, as before.

Writing is the other way round: the attribute holds plaintext, and ``pre_save`` encrypts it
freshly (new nonce, current key) for every save. ``get_prep_value`` accepts only what
``pre_save`` produced, so ``QuerySet.update(family_name=...)`` and ``bulk_update`` refuse
instead of writing plaintext. Filters on an encrypted field refuse too (except ``isnull``):
an equality test against ciphertext would silently match nothing. Equality lookups go through
:class:`BlindIndexField`, word search through :class:`SearchTokensField`. ``values()`` and
``values_list()`` return :class:`Sealed` values, since they build no instance to bind to.

The fields subclass Django's ``CharField``, ``TextField`` and ``DateField`` so that forms,
validation (``max_length`` counts characters of the plaintext) and DRF serializers behave as
for the plain fields; only the column is ``text``, holding the token.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Q
from django.db.models.query_utils import DeferredAttribute

from continuum.core import encryption


class Sealed:
    """An encrypted value as stored: a token, not yet decrypted (or about to be written)."""

    __slots__ = ("token",)

    def __init__(self, token: str) -> None:
        self.token = token

    @property
    def key_id(self) -> str:
        return encryption.key_id_of(self.token)

    def __repr__(self) -> str:
        return f"<Sealed value under key {self.key_id}>"


class SealedAttribute(DeferredAttribute):
    """Decrypts a :class:`Sealed` value on first read, with the instance's row binding."""

    field: EncryptedFieldMixin

    def __get__(self, instance: models.Model | None, cls: type[models.Model] | None = None) -> Any:
        if instance is None:
            return self
        value = super().__get__(instance, cls)
        if isinstance(value, Sealed):
            value = self.field.open(instance, value)
            instance.__dict__[self.field.attname] = value
        return value

    def __set__(self, instance: models.Model, value: Any) -> None:
        # A data descriptor, so reads always pass through __get__ above.
        instance.__dict__[self.field.attname] = value


class EncryptedFieldMixin(models.Field[Any, Any]):
    """Stores the field's value AES-GCM encrypted, bound to table, column and row.

    ``row_field`` names the model field whose value binds a ciphertext to its row. It must be
    set before the first save and never change afterwards (``reference`` on ``Person``).
    """

    descriptor_class = SealedAttribute

    def __init__(self, *args: Any, row_field: str = "reference", **kwargs: Any) -> None:
        for option in ("primary_key", "unique", "db_index"):
            if kwargs.get(option):
                raise ImproperlyConfigured(
                    f"An encrypted field cannot be {option}: equal values have different "
                    "ciphertexts. Index it with a BlindIndexField."
                )
        self.row_field = row_field
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.row_field != "reference":
            kwargs["row_field"] = self.row_field
        return name, path, args, kwargs

    def get_internal_type(self) -> str:
        return "TextField"  # the column holds a token, whatever the plaintext type

    # --- plaintext <-> text ---

    def encode(self, value: Any) -> str:
        return str(value)

    def decode(self, text: str) -> Any:
        return text

    def binding(self, instance: models.Model) -> encryption.Binding:
        row = getattr(instance, self.row_field)
        if not row:
            raise encryption.EncryptionError(
                f"{instance._meta.label}.{self.name} cannot be encrypted before the row has "
                f"its {self.row_field}."
            )
        return encryption.Binding(
            table=instance._meta.db_table, column=_column(instance, self.name), row=str(row)
        )

    def stored_key_id(self, instance: models.Model) -> str | None:
        """The key id of the value as loaded, if it has not been read or replaced since."""
        value = instance.__dict__.get(self.attname)
        return value.key_id if isinstance(value, Sealed) else None

    def open(self, instance: models.Model, sealed: Sealed) -> Any:
        return self.decode(encryption.unseal(sealed.token, self.binding(instance)))

    # --- Django's field protocol ---

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = getattr(model_instance, self.attname)
        if value is None:
            return None
        text = self.encode(self.to_python(value))
        return Sealed(encryption.seal(text, self.binding(model_instance)))

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Sealed | None:
        return None if value is None else Sealed(value)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, Sealed):
            raise TypeError("A sealed value has to be read through its model instance.")
        return super().to_python(value)

    def get_prep_value(self, value: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, Sealed):
            return value.token
        raise encryption.EncryptionError(
            f"{self.model._meta.label}.{self.name} is encrypted: write it with save(), which "
            "encrypts it; QuerySet.update() and bulk_update() would store it in the clear."
        )

    def get_db_prep_value(
        self, value: Any, connection: BaseDatabaseWrapper, prepared: bool = False
    ) -> Any:
        return self.get_prep_value(value)  # a token is text, whatever the plaintext type

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        raise FieldError(
            f"{self.model._meta.label}.{self.name} is encrypted and cannot be filtered with "
            f"'{lookup_name}'; use its blind index or search tokens."
        )

    def get_transform(self, lookup_name: str) -> Any:
        return None


class EncryptedCharField(EncryptedFieldMixin, models.CharField):  # type: ignore[type-arg]
    """A ``CharField`` (``max_length`` counts plaintext characters) stored encrypted."""

    _pyi_private_set_type: str
    _pyi_private_get_type: str


class EncryptedTextField(EncryptedFieldMixin, models.TextField):  # type: ignore[type-arg]
    """A ``TextField`` stored encrypted."""

    _pyi_private_set_type: str
    _pyi_private_get_type: str


class EncryptedDateField(EncryptedFieldMixin, models.DateField):  # type: ignore[type-arg]
    """A ``DateField`` stored encrypted (the ISO date is what is encrypted)."""

    _pyi_private_set_type: str | date
    _pyi_private_get_type: date

    def encode(self, value: Any) -> str:
        return str(value.isoformat())

    def decode(self, text: str) -> date:
        return date.fromisoformat(text)


class BlindIndexField(models.CharField):  # type: ignore[type-arg]
    """HMAC of another field's normalised value (see :func:`encryption.blind_index`), for
    equality lookups and uniqueness. Computed from ``source`` whenever the row is saved."""

    def __init__(self, *args: Any, source: str, **kwargs: Any) -> None:
        self.source = source
        self.sources = (source,)
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        return (
            name,
            path,
            args,
            _without_defaults(kwargs, max_length=64, editable=False, blank=True),
        )

    def index_of(self, value: str | None) -> str | None:
        domain = f"{self.model._meta.db_table}.{_column(self.model, self.source)}"
        return encryption.blind_index(value, domain=domain)

    def matching(self, value: str) -> Q:
        """Rows whose source equals ``value`` after normalisation (none if it is blank)."""
        index = self.index_of(value)
        return Q(**{self.name: index}) if index else Q(pk__in=[])

    def pre_save(self, model_instance: models.Model, add: bool) -> str | None:
        value = self.index_of(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value


class SearchTokensField(models.TextField):  # type: ignore[type-arg]
    """Keyed search tokens of the words of ``sources`` (see :func:`encryption.search_tokens`).
    A query word finds a row when it is one of its words or a prefix of at least
    ``encryption.MIN_PREFIX`` letters of one; it never matches inside a word."""

    def __init__(self, *args: Any, sources: Iterable[str], **kwargs: Any) -> None:
        self.sources = tuple(sources)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["sources"] = self.sources
        return name, path, args, _without_defaults(kwargs, editable=False, blank=True, default="")

    def _domains(self) -> dict[str, str]:
        table = self.model._meta.db_table
        return {name: f"{table}.{_column(self.model, name)}" for name in self.sources}

    def matching(self, query: str) -> Q:
        """Rows having any word of ``query`` (OR), as a whole word or a word prefix."""
        condition = Q(pk__in=[])
        for token in encryption.query_tokens(query, self._domains().values()):
            condition |= Q(**{f"{self.name}__contains": f" {token} "})
        return condition

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        texts = {domain: getattr(model_instance, name) for name, domain in self._domains().items()}
        value = encryption.search_tokens(texts)
        setattr(model_instance, self.attname, value)
        return value


def _column(model: type[models.Model] | models.Model, name: str) -> str:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or not field.column:
        raise ImproperlyConfigured(f"{model._meta.label}.{name} is not a column.")
    return field.column


def _without_defaults(kwargs: dict[str, Any], **defaults: Any) -> dict[str, Any]:
    """Deconstructed keyword arguments without those equal to this field's own defaults."""
    return {
        name: value
        for name, value in kwargs.items()
        if not (
            name in defaults and value == defaults[name] and type(value) is type(defaults[name])
        )
    }


def with_derived_fields(model: type[models.Model], update_fields: Iterable[str]) -> set[str]:
    """``update_fields`` and the index fields computed from any of them, so that a partial
    save keeps the indexes in step with the encrypted values."""
    names = set(update_fields)
    for field in model._meta.concrete_fields:
        if isinstance(field, BlindIndexField | SearchTokensField) and names & set(field.sources):
            names.add(field.name)
    return names


def encrypted_fields(model: type[models.Model]) -> list[EncryptedFieldMixin]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedFieldMixin)]


def models_with_encrypted_fields() -> Collection[type[models.Model]]:
    return [model for model in apps.get_models() if encrypted_fields(model)]
