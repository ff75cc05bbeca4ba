"""camshaft jobs: the scheduled jobs (retention, deadlines, purges), run once.

Schedule it daily (cron, a systemd timer or the platform's scheduler). Each
job is listed in settings.CAMSHAFT_JOBS and is safe to run again: it acts on
what is due at `now` and on nothing twice."""

import logging

from django.conf import settings
from django.core.management import BaseCommand, CommandError
from django.utils import timezone
from django.utils.module_loading import import_string

log = logging.getLogger("camshaft.jobs")


class Command(BaseCommand):
    help = "Run the scheduled jobs once (retention, deadlines, purges); --only NAME to pick."

    def add_arguments(self, parser):
        parser.add_argument("--only", action="append", default=[], help="run only this job")
        parser.add_argument("--list", action="store_true", help="list the jobs and exit")

    def handle(self, *args, **opts):
        jobs = {path.rsplit(".", 1)[-1]: path for path in settings.CAMSHAFT_JOBS}
        if opts["list"]:
            for name, path in jobs.items():
                self.stdout.write(f"{name}  ({path})")
            return
        unknown = set(opts["only"]) - set(jobs)
        if unknown:
            raise CommandError(f"No such job: {', '.join(sorted(unknown))}. See --list.")
        chosen = [jobs[name] for name in opts["only"]] or list(jobs.values())
        now = timezone.now()
        failed = []
        for path in chosen:
            name = path.rsplit(".", 1)[-1]
            try:
                summary = import_string(path)(now=now)
            except Exception:  # one broken job must not stop the others
                log.exception("job %s failed", name)
                failed.append(name)
                self.stderr.write(f"{name}: failed (see the log)")
                continue
            self.stdout.write(f"{name}: {summary}")
        if failed:
            raise CommandError(f"{len(failed)} job(s) failed: {', '.join(failed)}")
