"""A logging filter that masks anything shaped like a card number (Y3)."""

import logging
import re

CARD_LIKE = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")


class RedactCardNumbers(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if CARD_LIKE.search(message):
            record.msg = CARD_LIKE.sub("[redacted card number]", message)
            record.args = None
        return True
