"""Catalogue writes by staff. Each keeps the search index in step (C5)."""

from django.db import transaction

from camshaft.catalog.models import Brand, Category, Part
from camshaft.catalog.selectors import forget_category_tree
from camshaft.search import services as search_services


@transaction.atomic
def save_part(*, part: Part) -> Part:
    part.save()
    search_services.queue_reindex([part.id])
    return part


@transaction.atomic
def delete_part(*, part: Part) -> None:
    part_id = part.id
    part.delete()
    search_services.queue_reindex([part_id])


@transaction.atomic
def save_brand(*, brand: Brand) -> Brand:
    """A brand's name is in its parts' documents, so they are rewritten too."""
    brand.save()
    search_services.queue_reindex(brand.parts.values_list("id", flat=True))
    return brand


@transaction.atomic
def save_category(*, category: Category) -> Category:
    """Moving or renaming a node changes the paths of everything below it."""
    category.save()
    for child in category.children.all():
        save_category(category=child)
    search_services.queue_reindex(category.parts.values_list("id", flat=True))
    transaction.on_commit(forget_category_tree)
    return category
