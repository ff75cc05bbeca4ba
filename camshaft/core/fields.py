"""Model fields encrypted at rest (V8): a value is sealed with the newest
key on its way to the database and opened on its way back, so forms, admin,
validators and templates see plain values and the database sees tokens.

A sealed column cannot be searched, filtered or ordered in SQL (each token
is different even for equal values): filtering on one is refused with a
clear error, and `LookupDigestField` keeps keyed hashes where a lookup is
needed."""

import datetime
import json
from collections.abc import Callable, Iterator

from django.core.exceptions import FieldError
from django.db import connections, models, transaction

from camshaft.core import crypto

#: The only lookup a sealed column answers in SQL: whether it holds anything.
ALLOWED_LOOKUPS = frozenset({"isnull"})


class EncryptedMixin:
    """Seals the value as text. Blank text stays blank and None stays NULL:
    that a field is empty is not a secret, and forms and `isnull` need it."""

    encrypted = True

    def get_internal_type(self) -> str:
        # A token is about 100 bytes plus 4/3 of the value: a text column.
        return "TextField"

    def to_text(self, value) -> str:
        return str(value)

    def from_text(self, text: str):
        return text

    def get_db_prep_value(self, value, connection, prepared=False):
        if not prepared:
            value = self.get_prep_value(value)
        if value is None:
            return None
        text = self.to_text(value)
        return crypto.encrypt(text) if text else ""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return self.from_text(crypto.decrypt(value))

    def get_lookup(self, lookup_name):
        if lookup_name not in ALLOWED_LOOKUPS:
            raise FieldError(self._refusal(lookup_name))
        return super().get_lookup(lookup_name)

    def get_transform(self, lookup_name):
        raise FieldError(self._refusal(lookup_name))

    def _refusal(self, lookup_name: str) -> str:
        return (
            f"{self.model.__name__}.{self.name} is encrypted at rest (V8): the database "
            f"cannot compare it ('{lookup_name}'). Filter on a lookup digest instead."
        )


class EncryptedCharField(EncryptedMixin, models.CharField):
    """A CharField whose max_length limits the plain value, not the column."""


class EncryptedTextField(EncryptedMixin, models.TextField):
    pass


class EncryptedDateField(EncryptedMixin, models.DateField):
    def to_text(self, value: datetime.date) -> str:
        return value.isoformat()

    def from_text(self, text: str) -> datetime.date:
        return datetime.date.fromisoformat(text)


class EncryptedJSONField(EncryptedMixin, models.JSONField):
    def to_text(self, value) -> str:
        return json.dumps(value, cls=self.encoder)

    def from_text(self, text: str):
        return json.loads(text, cls=self.decoder)


class LookupDigestField(models.CharField):
    """Keyed hashes (crypto.lookup_digest) of each word of another field,
    kept up to date whenever the row is saved, so `words_lookup` finds rows
    by a whole word of a value the database holds only encrypted."""

    #: Digests are cut to 16 hex digits (64 bits): plenty to tell names apart.
    DIGEST_LENGTH = 16
    MAX_WORDS = 12

    def __init__(self, *args, source: str = "", purpose: str = "", **kwargs):
        self.source = source
        self.purpose = purpose
        kwargs.setdefault("max_length", self.MAX_WORDS * (self.DIGEST_LENGTH + 1) + 1)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.update(source=self.source, purpose=self.purpose)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = self.digests(getattr(model_instance, self.source) or "")
        setattr(model_instance, self.attname, value)
        return value

    def word_digest(self, word: str) -> str:
        return crypto.lookup_digest(word, purpose=self.purpose)[: self.DIGEST_LENGTH]

    def digests(self, text: str) -> str:
        """' d1 d2 … ': spaces around each, so a `contains` never matches half a digest."""
        words = dict.fromkeys(crypto.normalize_for_lookup(text).split())
        kept = [self.word_digest(word) for word in list(words)[: self.MAX_WORDS]]
        return f" {' '.join(kept)} " if kept else ""

    def words_lookup(self, text: str, *, prefix: str = "") -> models.Q | None:
        """A filter for rows whose source holds every word of `text`, or None
        when `text` has no word. `prefix` reaches the field through relations."""
        words = crypto.normalize_for_lookup(text).split()
        if not words:
            return None
        lookup = f"{prefix}{self.name}__contains"
        query = models.Q()
        for word in words:
            query &= models.Q(**{lookup: f" {self.word_digest(word)} "})
        return query


def encrypted_fields(model) -> list[models.Field]:
    return [field for field in model._meta.concrete_fields if getattr(field, "encrypted", False)]


def rewrite_rows(
    model,
    columns: list[str],
    change: Callable[[dict[str, str]], dict[str, str]],
    *,
    using: str = "default",
    batch_size: int = 500,
) -> Iterator[tuple[int, int]]:
    """Pass every row's raw `columns` text (None and blank left out) through
    `change`, which answers the columns to write, a batch of rows per
    transaction with the rows locked. Yields (rows read, values written) per
    batch. For migrations (historical models) and `camshaft rotate-keys`:
    the ORM would open sealed values, these need the tokens themselves."""
    connection = connections[using]
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    selected = ", ".join(quote(column) for column in columns)
    after = f"WHERE {pk} > %s "
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    # Names are the model's own, quoted; every value goes as a parameter.
    select = (
        f"SELECT {pk}, {selected} FROM {table} "  # noqa: S608
        f"{{after}}ORDER BY {pk} LIMIT %s{lock}"
    )
    last = None
    while True:
        with transaction.atomic(using=using), connection.cursor() as cursor:
            if last is None:
                cursor.execute(select.format(after=""), [batch_size])
            else:
                cursor.execute(select.format(after=after), [last, batch_size])
            rows = cursor.fetchall()
            written = 0
            for row_pk, *values in rows:
                stored = {
                    c: str(v) for c, v in zip(columns, values, strict=True) if v not in (None, "")
                }
                if updates := change(stored):
                    sets = ", ".join(f"{quote(column)} = %s" for column in updates)
                    cursor.execute(
                        f"UPDATE {table} SET {sets} WHERE {pk} = %s",  # noqa: S608
                        [*updates.values(), row_pk],
                    )
                    written += len(updates)
        if not rows:
            return
        last = rows[-1][0]
        yield len(rows), written


def seal_stored_values(apps, schema_editor, *, model: str, fields: list[str]) -> None:
    """Migration step: encrypt the plain values of `fields` already stored."""
    _each_value(apps, schema_editor, model, fields, crypto.encrypt)


def open_stored_values(apps, schema_editor, *, model: str, fields: list[str]) -> None:
    """The reverse migration step: decrypt them back to plain values."""
    _each_value(apps, schema_editor, model, fields, crypto.decrypt)


def _each_value(apps, schema_editor, model: str, fields: list[str], step) -> None:
    historical = apps.get_model(model)
    columns = [historical._meta.get_field(name).column for name in fields]
    for _ in rewrite_rows(
        historical,
        columns,
        lambda stored: {column: step(value) for column, value in stored.items()},
        using=schema_editor.connection.alias,
    ):
        pass
