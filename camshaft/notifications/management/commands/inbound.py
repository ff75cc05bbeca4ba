"""camshaft inbound: read mail sent to the store; "unsubscribe" in a
subject unsubscribes its sender (N2), and a reply whose subject carries a
support ticket's reference joins that ticket's thread (B4).

    camshaft inbound message.eml [more.eml ...]     one or more saved mails
    camshaft inbound --maildir /var/mail/store       every new mail of a Maildir

With --maildir each mail is handled once: it moves from new/ to cur/ (marked
seen), so cron can poll the mailbox every few minutes."""

import mailbox
from pathlib import Path

from django.core.management import BaseCommand, CommandError

from camshaft.notifications import services


class Command(BaseCommand):
    help = (
        'Handle mail sent to the store: "unsubscribe" in the subject unsubscribes the sender; '
        "a reply quoting a support ticket's reference joins that ticket."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", help=".eml files")
        parser.add_argument("--maildir", help="a Maildir whose new mail to handle")

    def handle(self, *args, **opts):
        if not opts["files"] and not opts["maildir"]:
            raise CommandError("Give .eml files or --maildir DIR.")
        handled = acted = 0
        for name in opts["files"]:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"{name}: no such file")
            acted += self._handle(path.read_bytes(), label=name)
            handled += 1
        if opts["maildir"]:
            box = mailbox.Maildir(opts["maildir"], create=False)
            for key in list(box.iterkeys()):
                message = box.get_message(key)
                if message.get_subdir() != "new":
                    continue
                acted += self._handle(box.get_bytes(key), label=key)
                message.set_subdir("cur")
                message.add_flag("S")
                box[key] = message
                handled += 1
        self.stdout.write(f"{handled} mail(s) read, {acted} acted on")

    def _handle(self, raw: bytes, *, label: str) -> int:
        done = services.handle_inbound_mail(raw=raw)
        for action in done:
            self.stdout.write(f"{label}: {action}")
        return int(bool(done))
