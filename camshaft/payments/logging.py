"""A logging filter that masks anything shaped like a card number (Y3).

It is the last line of defence: Camshaft never logs a card number on
purpose, but a number pasted into a search box, an address field or an
exception message would otherwise reach a log file. Any run of 13–19 digits,
spaces or dashes allowed between them, is masked, Luhn-valid or not, in the
message, its arguments and the formatted traceback."""

import logging
import re

CARD_LIKE = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
MASK = "[redacted card number]"


def redact(text: str) -> str:
    return CARD_LIKE.sub(MASK, text)


class RedactCardNumbers(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if CARD_LIKE.search(message):
            record.msg = redact(message)
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and CARD_LIKE.search(record.exc_text):
            record.exc_text = redact(record.exc_text)
        if record.stack_info and CARD_LIKE.search(record.stack_info):
            record.stack_info = redact(record.stack_info)
        return True
