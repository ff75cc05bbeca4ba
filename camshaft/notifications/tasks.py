"""Background work for notifications: delivering the outbox (N4)."""

from django_tasks import task


@task()
def deliver_outbox() -> int:
    from camshaft.notifications.services import deliver_due_messages

    return deliver_due_messages()
