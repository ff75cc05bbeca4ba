"""Mail that reached the store, as `notifications` announces it: a reply
whose subject carries a ticket reference joins that ticket (B4)."""

from camshaft.support import services


def reply_by_mail(sender, *, mail, **kwargs) -> str | None:
    outcome = services.take_mail_reply(
        sender=mail.sender, subject=mail.subject, text=mail.text, mail_id=mail.message_id
    )
    return str(outcome) if outcome else None
