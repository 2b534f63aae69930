"""The company's settings: one row, read by invoicing and scheduling, changed by the owner."""
from dispatch.audit import service as audit
from dispatch.audit.models import AuditKind
from dispatch.company.models import CompanySettings
from dispatch.core.tx import transactional
from dispatch.extensions import db


KEPT = "dispatch.company_settings"


def company_settings() -> CompanySettings:
    """The settings row, read once per session: a filing asks for it from invoicing, payroll and
    scheduling, and the identity map alone (weak references) would let it go and read it again.
    Kept in the session, it expires at commit like every other object and is read afresh."""
    session = db.session()
    settings = session.info.get(KEPT)
    if settings is None or settings not in session:
        settings = session.info[KEPT] = session.get(CompanySettings, 1)
    return settings


@transactional
def update_company_settings(**changes) -> CompanySettings:
    """Change the settings given; the log gets the ones that really changed (the settings page
    sends every field, and saving it as it was is no change)."""
    settings = company_settings()
    changed = audit.differences({name: getattr(settings, name) for name in changes}, changes)
    for name, value in changes.items():
        setattr(settings, name, value)
    db.session.flush()
    if changed:
        audit.record(AuditKind.SETTINGS, "settings_changed", settings, **changed)
    return settings
