"""A logging filter that masks card numbers (Y3) and email addresses (V8).

It is the last line of defence: Camshaft never logs a card number or an
address on purpose, but a number pasted into a search box, an address field
or an exception message would otherwise reach a log file. Any run of 13–19
digits, spaces or dashes allowed between them, is masked, Luhn-valid or not;
so is anything shaped like an email address; in the message, its arguments
and the formatted traceback."""

import logging
import re

from gunicorn.glogging import Logger as GunicornLogger

CARD_LIKE = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
CARD_MASK = "[redacted card number]"
EMAIL_LIKE = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
EMAIL_MASK = "[redacted email]"


def redact(text: str) -> str:
    return EMAIL_LIKE.sub(EMAIL_MASK, CARD_LIKE.sub(CARD_MASK, text))


def _needs_redacting(text: str) -> bool:
    return bool(CARD_LIKE.search(text) or EMAIL_LIKE.search(text))


class RedactPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if _needs_redacting(message):
            record.msg = redact(message)
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and _needs_redacting(record.exc_text):
            record.exc_text = redact(record.exc_text)
        if record.stack_info and _needs_redacting(record.stack_info):
            record.stack_info = redact(record.stack_info)
        return True


#: Paths whose last part is a secret link (an invitation, a password reset,
#: a newsletter confirmation or unsubscribe): whoever reads the log must not
#: be able to use it.
SECRET_LINK = re.compile(
    r"^/(account/welcome|account/password-reset|newsletter/confirm|newsletter/unsubscribe)/.+"
)


def loggable_path(path: str) -> str:
    """A request path as the access log keeps it: link tokens masked; the
    query string (search words, lookups) is never passed in."""
    if match := SECRET_LINK.match(path or ""):
        return f"/{match.group(1)}/[token]/"
    return redact(path or "")


class AccessLogger(GunicornLogger):
    """gunicorn's logger with request lines that keep no personal data: no
    query string, no referrer (it holds the previous page's query), no link
    token (V8). `camshaft serve` runs gunicorn with it."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        path = loggable_path(environ.get("PATH_INFO", ""))
        atoms.update(r=f"{atoms['m']} {path} {atoms['H']}", U=path, q="-", f="-")
        # Raw environ values ({raw_uri}e, {query_string}e...) and these
        # headers repeat what was just masked.
        hidden = ("{referer}i", "{cookie}i", "{authorization}i", "{x-cart-token}i")
        atoms.update({key: "-" for key in atoms if key.endswith("}e") or key in hidden})
        return atoms


class UvicornAccessLine(logging.Filter):
    """The same rules for the access lines of uvicorn's worker (the ASGI
    server `camshaft serve` runs): its "uvicorn.access" records carry the
    path with its query string; the query is dropped and tokens masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) == 5:
            client, method, path, version, status = record.args
            path = loggable_path(str(path).split("?", 1)[0])
            record.args = (client, method, path, version, status)
        return True
