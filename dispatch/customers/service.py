"""Customers and their service sites."""
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import selectinload

from dispatch.core.errors import NotFound
from dispatch.core.tx import transactional
from dispatch.customers.models import Customer, ServiceSite
from dispatch.extensions import db

LIST_LIMIT = 200


@transactional
def create_customer(
    name: str, email: str, phone: str | None = None, address: str | None = None, payment_terms_days: int | None = None
) -> Customer:
    """Add a customer; their address becomes their first service site, as on a job sheet."""
    customer = Customer(
        name=name.strip(), email=email.strip(), phone=phone, address=address, payment_terms_days=payment_terms_days
    )
    if address:
        customer.sites.append(ServiceSite(name="Main site", address=address))
    db.session.add(customer)
    db.session.flush()
    return customer


def find_customers(search: str | None = None, is_closed: bool = False) -> list[Customer]:
    """The first LIST_LIMIT of customers_query(): enough for a page's pick list."""
    return list(db.session.scalars(customers_query(search, is_closed).limit(LIST_LIMIT)))


def customers_query(search: str | None = None, is_closed: bool = False) -> Select:
    """Active customers (or those whose file is closed) by name, optionally matching `search` in name, email or phone."""
    query = select(Customer).where(Customer.is_active == (not is_closed)).options(selectinload(Customer.sites))
    if search:
        # Taken literally: a "%" or "_" the user typed is not a wildcard.
        search = search.strip()
        query = query.where(
            or_(*(column.icontains(search, autoescape=True) for column in (Customer.name, Customer.email, Customer.phone)))
        )
    return query.order_by(Customer.name, Customer.id)


def get_customer(customer_id: int) -> Customer:
    customer = db.session.get(Customer, customer_id)
    if customer is None:
        raise NotFound("No such customer.")
    return customer
