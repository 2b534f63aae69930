"""The company's settings: one row, read by invoicing and scheduling, changed by the owner."""
from dispatch.company.models import CompanySettings
from dispatch.core.tx import transactional
from dispatch.extensions import db


def company_settings() -> CompanySettings:
    return db.session.get(CompanySettings, 1)


@transactional
def update_company_settings(**changes) -> CompanySettings:
    settings = company_settings()
    for name, value in changes.items():
        setattr(settings, name, value)
    db.session.flush()
    return settings
