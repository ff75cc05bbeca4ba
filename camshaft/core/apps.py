from django.apps import AppConfig
from django.db.backends.signals import connection_created


def _tune_sqlite(sender, connection, **kwargs):
    """WAL lets readers run beside the one writer; the rest trades nothing
    durable for speed (synchronous=NORMAL is safe under WAL). secure_delete
    overwrites what a deletion frees, so an erased person (V4) does not
    linger in the file's free pages."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for pragma in (
            "journal_mode=WAL",
            "synchronous=NORMAL",
            "temp_store=MEMORY",
            "cache_size=-262144",
            "mmap_size=4294967296",
            "foreign_keys=ON",
            "secure_delete=ON",
        ):
            cursor.execute(f"PRAGMA {pragma}")


class CoreConfig(AppConfig):
    name = "camshaft.core"
    label = "core"

    def ready(self):
        connection_created.connect(_tune_sqlite, dispatch_uid="camshaft-sqlite-pragmas")
        # Before any URLconf is read: the apps' urls.py use <id:...> and <segment:...>.
        from camshaft.core.bounds import register_converters

        register_converters()
        from camshaft.core import checks  # noqa: F401 - registers the deploy checks
