"""Parsing of page numbers and sizes from untrusted input."""

from dataclasses import dataclass

MAX_PAGE = 10_000


@dataclass(frozen=True, slots=True)
class PageRequest:
    number: int
    size: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


class BadPage(ValueError):
    pass


def page_request(raw_number, *, size: int = 24, max_size: int = 100, raw_size=None) -> PageRequest:
    """Page 1 when absent; BadPage for anything that is not 1..MAX_PAGE, so a
    page of 10**9 gets a clear 400 instead of a huge OFFSET."""
    try:
        number = int(raw_number) if raw_number not in (None, "") else 1
    except (TypeError, ValueError):
        raise BadPage("The page number must be a whole number.") from None
    if not 1 <= number <= MAX_PAGE:
        raise BadPage(f"The page number must be between 1 and {MAX_PAGE}.")
    if raw_size not in (None, ""):
        try:
            size = int(raw_size)
        except (TypeError, ValueError):
            raise BadPage("The page size must be a whole number.") from None
        if not 1 <= size <= max_size:
            raise BadPage(f"The page size must be between 1 and {max_size}.")
    return PageRequest(number=number, size=size)


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a listing, with what a pager needs."""

    items: list
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def has_previous(self) -> bool:
        return self.number > 1
