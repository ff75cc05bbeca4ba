"""Writing the audit log of staff access to personal data (A4).

Each function is a single INSERT, atomic by itself: no transaction of its
own, so logging a page costs one query."""

from collections.abc import Iterable

from django.db.models import Model

from camshaft.core.crypto import lookup_digest
from camshaft.core.models import AuditAction, AuditEntry


def email_hash(email: str) -> str:
    """A keyed hash of an email address: the privacy officer can find a
    person's entries by their address without the log holding it."""
    return lookup_digest(email, purpose="audit-email") if email.strip() else ""


def _label(obj: Model | None) -> str:
    return obj._meta.label_lower if obj is not None else ""


def record_access(
    *,
    staff,
    action: str,
    subject_user_id: int | None = None,
    subject_email: str = "",
    obj: Model | None = None,
    detail: str = "",
    path: str = "",
    actor: str = "",
) -> AuditEntry:
    """Record that `staff` did `action` to one customer's data (one INSERT).
    With no staff member (the customer deleting their own account, a
    scheduled job), `actor` says who it was."""
    return AuditEntry.objects.create(
        staff=staff,
        staff_email=staff.get_username() if staff is not None else actor,
        action=action,
        subject_user_id=subject_user_id,
        subject_email_hash=email_hash(subject_email),
        object_type=_label(obj),
        object_ids=str(obj.pk) if obj is not None else "",
        detail=detail,
        path=path[:500],
    )


def record_listing(
    *,
    staff,
    object_type: str,
    object_ids: Iterable,
    subject_user_ids: Iterable[int | None] = (),
    detail: str = "",
    path: str = "",
) -> AuditEntry:
    """Record one list page of customer records: which rows it showed and
    whose they were, in one entry rather than one per row (one INSERT)."""
    customers = sorted({pk for pk in subject_user_ids if pk is not None})
    return AuditEntry.objects.create(
        staff=staff,
        staff_email=staff.get_username(),
        action=AuditAction.LISTED,
        subject_user_id=customers[0] if len(customers) == 1 else None,
        listed_user_ids=f" {' '.join(map(str, customers))} " if customers else "",
        object_type=object_type,
        object_ids=",".join(str(pk) for pk in object_ids),
        detail=detail,
        path=path[:500],
    )
