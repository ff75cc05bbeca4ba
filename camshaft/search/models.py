"""The change log every host's search index follows, and the hosts following it.

The database is the truth; each app host's search index (tantivy, in its
own SEARCH_INDEX_DIR) is derived from it. Every write to a part, its
fitment or its stock adds the part's id to the log in the same transaction,
so a crash never loses an update, and every host applies every entry.
"""

from django.core.exceptions import ValidationError
from django.db import models

from camshaft.search.synonym_rules import BadRule, parse_rule


class PendingIndexUpdate(models.Model):
    """One entry of the change log: this part's search document is stale,
    or, when `kind` is not "part", the document of that kind's row
    `part_id` (a marketplace listing: `search.sources`).

    Kept until every live host has applied it (`IndexHost.position`). Hosts
    read the log by `id` on SQLite, whose writers commit one at a time in id
    order; on PostgreSQL ids are handed out before commit, so a lower id can
    commit after a higher one, and hosts read by `txid`, the writing
    transaction's id, against the oldest transaction still running."""

    part_id = models.BigIntegerField(db_index=True)
    kind = models.CharField(max_length=16, default="part", db_default="part")
    queued_at = models.DateTimeField(auto_now_add=True)
    txid = models.BigIntegerField(null=True, db_index=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"reindex {self.kind} {self.part_id}"


class IndexHost(models.Model):
    """An app host keeping its own search index from the change log.

    `position` is how far the host has applied the log: every entry whose
    key (id on SQLite, txid on PostgreSQL) is below it. Entries below every
    live host's position are pruned; a host not seen for
    SEARCH_HOST_TIMEOUT is dropped from that reckoning and rebuilds its
    index when it comes back."""

    host_id = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=300)
    position = models.BigIntegerField()
    seen_at = models.DateTimeField()
    started_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "search index host"

    def __str__(self) -> str:
        return self.name


class IndexLogHorizon(models.Model):
    """The one row saying which log entries are gone: every key below
    `pruned_below`. A host whose position is below it must rebuild."""

    pruned_below = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"log pruned below {self.pruned_below}"


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
