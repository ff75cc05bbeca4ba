"""Race tests: run one function in several threads released at the same
moment, each on its own database connection (PostgreSQL), and collect what
each got back or raised."""

import threading

from django.db import connection


def at_once(action, *, threads: int = 8) -> tuple[list, list]:
    """(results, errors) of calling `action()` in `threads` threads at once."""
    barrier = threading.Barrier(threads)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(action())
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return results, errors
