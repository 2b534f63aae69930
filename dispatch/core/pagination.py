"""Every JSON list is paged: `?page=` (from 1) and `?page_size=` (default 50, at most 200).

The body stays a JSON list (API.md promises "→ list"); the `X-Pagination` header says the
total and the pages. A list endpoint opts in with `@blp.paginate()` under `@blp.response`
and returns its rows as a list, or as a query (a `select`) when the rows are too many to read
whole: then only the page is read, with LIMIT/OFFSET. A query of one entity answers its objects, a
query of several columns a dictionary per row. A CSV download from the same endpoint is returned
whole.
"""
import warnings
from functools import cached_property

from flask import Response
from flask_smorest import Page
from sqlalchemy import Select, func, select

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
PAGE_ARGUMENTS = ("page", "page_size")

# A file download (a werkzeug Response) is not a page and has no item count: flask-smorest
# warns about that on every such request, which says nothing new.
warnings.filterwarnings("ignore", message="item_count not set in endpoint", category=UserWarning)


class RowsPage(Page):
    """One page of the rows a view returned."""

    @property
    def items(self):
        if isinstance(self.collection, Response):
            return self.collection
        if isinstance(self.collection, Select):
            from dispatch.extensions import db  # here: extensions builds the Api, which imports this module

            if self.page_params.first_item >= self.item_count:
                return []  # past the end: no query, and no OFFSET too large for the database's integers
            page_query = self.collection.limit(self.page_params.page_size).offset(self.page_params.first_item)
            rows = db.session.execute(page_query)
            if len(page_query.column_descriptions) > 1:
                return [dict(row) for row in rows.mappings()]  # a query of some columns: each row by column name
            return rows.scalars().all()
        return super().items

    @cached_property
    def item_count(self):
        if isinstance(self.collection, Response):
            return None
        if isinstance(self.collection, Select):
            from dispatch.extensions import db

            return db.session.scalar(select(func.count()).select_from(self.collection.order_by(None).subquery()))
        return len(self.collection)


def mark_paged(view):
    """Remember that a view takes the page arguments, so its own query arguments may sit beside them."""
    view.is_paged = True
    return view
