"""The `camshaft` command (B3): a thin front for Django management commands.

camshaft serve [--port 8000]     migrate, seed a demo store if empty, run gunicorn (ASGI) + worker
camshaft demo --parts N          build a synthetic catalogue
camshaft import FILE             upsert parts, vehicles and fitment (CSV or JSON Lines)
camshaft export --format csv|jsonl
camshaft bench --parts N --json FILE
camshaft reindex                 rebuild the search index from the database
camshaft worker                  the task worker
camshaft jobs                    scheduled jobs (retention, deadlines, purges); cron it daily
camshaft inbound FILE.eml | --maildir DIR   mail to the store: "unsubscribe" unsubscribes
camshaft createstaff EMAIL --role ROLE   invite a staff member (one-time set-password link)
camshaft grant-role EMAIL ROLE   give a staff member a role (--revoke to take it away)
camshaft check-deploy            the deployment checks: settings, keys, staff passwords
camshaft rotate-keys [--new-key] re-encrypt personal fields with the newest key (V8)
camshaft backup DIR              copy the database (while the store runs) into a new folder
camshaft restore DIR [--replace] put a backup back (stop the store first)
camshaft manage ...              any other Django management command
"""

import os
import sys

ALIASES = {
    "import": "import_catalog",
    "export": "export_catalog",
    "worker": "worker",
    "grant-role": "grant_role",
    "rotate-keys": "rotate_keys",
    "check-deploy": "check_deploy",
}


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "camshaft.settings")
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(__doc__)
        return
    from django.core.management import execute_from_command_line

    command = argv[1:] if argv[0] == "manage" else [ALIASES.get(argv[0], argv[0]), *argv[1:]]
    execute_from_command_line(["camshaft", *command])


if __name__ == "__main__":
    main()
