"""Catalogue writes by staff. Each keeps the search index in step (C5)."""

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django_tasks import task

from camshaft.catalog import fetching, images
from camshaft.catalog.models import Brand, Category, Part, PartImage
from camshaft.catalog.selectors import forget_category_tree
from camshaft.search import services as search_services

log = logging.getLogger(__name__)


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


# --- pictures (C7) ----------------------------------------------------------------


class PictureProblem(Exception):
    """A request about a part's pictures that does not fit its pictures."""


@dataclass(frozen=True, slots=True)
class NewPicture:
    data: bytes
    source: str = ""  # the URL or file an import named


def store_picture(checked: images.CheckedImage) -> str:
    """Save a checked picture under a fresh name and make its thumbnails."""
    name = default_storage.save(
        f"parts/{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}.{checked.extension}",
        ContentFile(checked.data),
    )
    images.make_thumbnails(name)
    return name


@transaction.atomic
def add_part_images(*, part: Part, pictures: Sequence[NewPicture]) -> list[PartImage]:
    """Add pictures after the part's others; the first becomes primary when the
    part had none. Every file is checked before any is stored: one bad file
    refuses them all (InvalidImage says which)."""
    checked = []
    for number, picture in enumerate(pictures, start=1):
        try:
            checked.append(images.check_image(picture.data))
        except images.InvalidImage as problem:
            prefix = f"Picture {number}: " if len(pictures) > 1 else ""
            raise images.InvalidImage(prefix + problem.messages[0]) from None
    Part.objects.select_for_update().filter(pk=part.pk).first()  # one writer per part
    existing = PartImage.objects.filter(part=part)
    start = (existing.aggregate(top=Max("position"))["top"] or 0) + 1 if existing.exists() else 0
    has_primary = existing.filter(is_primary=True).exists()
    created = []
    for offset, (picture, check) in enumerate(zip(pictures, checked, strict=True)):
        created.append(
            PartImage.objects.create(
                part=part,
                image=store_picture(check),
                width=check.width,
                height=check.height,
                position=start + offset,
                is_primary=not has_primary and offset == 0,
                source=picture.source[:500],
            )
        )
    return created


@transaction.atomic
def arrange_part_images(
    *,
    part: Part,
    order: Sequence[int],
    primary_id: int | None = None,
    remove: Sequence[int] = (),
) -> None:
    """Staff's arrangement of a part's pictures: `order` lists the ids kept,
    first shown first; `primary_id` the one listings show (the first kept if
    None or removed); `remove` the ids to delete. Ids of another part's
    pictures are refused, and nothing changes."""
    rows = {img.id: img for img in PartImage.objects.select_for_update().filter(part=part)}
    unknown = (set(order) | set(remove) | ({primary_id} if primary_id else set())) - rows.keys()
    if unknown:
        raise PictureProblem("Those pictures are not this part's.")
    kept = [pid for pid in dict.fromkeys(order) if pid not in set(remove)]
    kept += [pid for pid in rows if pid not in kept and pid not in set(remove)]
    if primary_id not in kept:
        primary_id = kept[0] if kept else None
    gone = [rows[pid] for pid in rows if pid not in kept]
    PartImage.objects.filter(id__in=[img.id for img in gone]).delete()
    PartImage.objects.filter(part=part).update(is_primary=False)
    for position, pid in enumerate(kept):
        img = rows[pid]
        img.position, img.is_primary = position, pid == primary_id
    PartImage.objects.bulk_update([rows[pid] for pid in kept], ["position", "is_primary"])
    names = {img.image.name for img in gone}
    transaction.on_commit(lambda: _delete_unused_files(names))


def _delete_unused_files(names: set[str]) -> None:
    """Files no picture row names any more, with their thumbnails."""
    still_used = set(PartImage.objects.filter(image__in=names).values_list("image", flat=True))
    for name in names - still_used:
        for stored in [name, *images.thumbnail_names(name)]:
            default_storage.delete(stored)


@task()
def fetch_part_images(jobs: list[list]) -> dict[str, int]:
    """The worker's half of an import's `images` column: for each [part id,
    [sources]] fetch every source the part does not have yet, check it and
    add it. A source that fails is logged and skipped; the others go on."""
    added = skipped = failed = 0
    for part_id, sources in jobs:
        part = Part.objects.filter(id=part_id).first()
        if part is None:
            continue
        have = set(PartImage.objects.filter(part=part).values_list("source", flat=True))
        new = []
        for source in dict.fromkeys(sources):
            if source in have:
                skipped += 1
                continue
            try:
                data = fetching.fetch(source)
                images.check_image(data)
            except (fetching.FetchProblem, images.InvalidImage) as problem:
                message = problem.messages[0] if hasattr(problem, "messages") else str(problem)
                log.warning("picture for %s not taken: %s (%s)", part.sku, source, message)
                failed += 1
                continue
            new.append(NewPicture(data, source))
        if new:
            add_part_images(part=part, pictures=new)
            added += len(new)
    return {"added": added, "skipped": skipped, "failed": failed}
