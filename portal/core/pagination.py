"""Pagination for lists that grow without limit: the count stops at a bound.

An exact count reads every matching row, so a list's first page would get slower as the table
grows. `BoundedPaginator` counts exactly up to `bound` rows (250 unless told; and always far
enough to cover the page asked for and the one after it), and past that reports a lower bound:
"More than 250 scenarios", "Page 1 of 10+". Next and Previous work on every page; deep pages cost what their OFFSET costs.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, QueryDict
from django.utils.functional import cached_property

DEFAULT_BOUND = 250


MAX_PAGE = 10**9  # keeps the LIMIT within a bigint for any page number a client sends


def page_number(number: Any) -> int:
    """The page a client asked for, as a number from 1 to MAX_PAGE (1 when it is not one)."""
    try:
        return min(max(int(number), 1), MAX_PAGE)
    except (TypeError, ValueError, OverflowError):
        return 1


def count_up_to(rows: Any, limit: int) -> int:
    """How many rows there are, counted no further than `limit`."""
    if isinstance(rows, QuerySet) and not rows.query.distinct:
        # How many of the first `limit` rows there are does not depend on their order; kept,
        # the order would make the database sort every row first (a computed sort key, as the
        # scorecard's score, is then computed for every row).
        rows = rows.order_by()
    counted = rows[:limit]
    return int(counted.count() if isinstance(counted, QuerySet) else len(counted))


def bounded(total: int, bound: int) -> tuple[int, bool]:
    """A count taken no further than `bound` plus one, as (the count to show, whether it is
    exact): past the bound, the bound ("more than 250")."""
    return (total, True) if total <= bound else (bound, False)


class BoundedPaginator(Paginator):
    """A Django paginator whose `count` is exact up to a bound; `count_is_exact` says which."""

    def __init__(
        self, object_list: Any, per_page: int, *, number: Any = None, bound: int | None = None
    ) -> None:
        super().__init__(object_list, per_page)
        # Count far enough to know the asked-for page and whether a next one exists.
        bound = DEFAULT_BOUND if bound is None else bound
        self.limit = max(bound, (page_number(number) + 1) * int(per_page)) + 1
        self.count_is_exact = True

    @cached_property
    def count(self) -> int:
        return self.bounded(count_up_to(self.object_list, self.limit))

    def bounded(self, total: int) -> int:
        """`total` rows counted no further than `limit`, as the count to show."""
        shown, self.count_is_exact = bounded(total, self.limit - 1)
        return shown


PAGE_SIZE = 25


def querystring_without_page(params: QueryDict) -> str:
    """A list's query string without `page`, ending in "&" unless empty: what page links keep."""
    kept = params.copy()
    kept.pop("page", None)
    encoded = kept.urlencode()
    return f"{encoded}&" if encoded else ""


def paginate(request: HttpRequest, rows: Any, per_page: int | None = None) -> dict[str, Any]:
    """The one paginator of list pages: `page_obj` with a bounded count, and the
    `querystring_without_page` that templates/core/_pagination.html links with."""
    number = request.GET.get("page")
    page = BoundedPaginator(rows, per_page or PAGE_SIZE, number=number).get_page(number)
    return {"page_obj": page, "querystring_without_page": querystring_without_page(request.GET)}
