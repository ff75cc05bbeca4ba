"""The queue of parts whose search documents must be rewritten.

The database is the truth; the search index (tantivy, in SEARCH_INDEX_DIR)
is derived from it. Every write to a part, its fitment or its stock adds
the part's id here in the same transaction, so a crash never loses an update.
"""

from django.core.exceptions import ValidationError
from django.db import models

from camshaft.search.synonym_rules import BadRule, parse_rule


class PendingIndexUpdate(models.Model):
    part_id = models.BigIntegerField(db_index=True)
    queued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"reindex part {self.part_id}"


class SynonymRule(models.Model):
    """A synonym or abbreviation staff keep (C5), applied when a query is
    searched, so a change needs no reindex. `rule` is written as in Solr:
    ``o2, oxygen`` (two-way) or ``chevy => chevrolet`` (one-way)."""

    class Source(models.TextChoices):
        STARTER = "starter", "Camshaft's starter list"
        STAFF = "staff", "Added by staff"

    rule = models.CharField(
        max_length=300,
        help_text="Two-way: terms separated by commas (o2, oxygen). "
        "One-way: chevy => chevrolet (chevy is searched as chevrolet, not the reverse).",
    )
    is_active = models.BooleanField(default=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.STAFF)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["rule"]
        verbose_name = "synonym rule"

    def __str__(self) -> str:
        return self.rule

    def clean(self) -> None:
        try:
            parse_rule(self.rule)
        except BadRule as problem:
            raise ValidationError({"rule": str(problem)}) from None
