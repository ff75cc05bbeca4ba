"""The queue of parts whose search documents must be rewritten.

The database is the truth; the search index (tantivy, in SEARCH_INDEX_DIR)
is derived from it. Every write to a part, its fitment or its stock adds
the part's id here in the same transaction, so a crash never loses an update.
"""

from django.db import models


class PendingIndexUpdate(models.Model):
    part_id = models.BigIntegerField(db_index=True)
    queued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"reindex part {self.part_id}"
