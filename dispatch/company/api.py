from dispatch.auth.access import require_role
from dispatch.auth.models import Role
from dispatch.company import service
from dispatch.company.schemas import CompanySettingsSchema, UpdateCompanySettingsSchema
from dispatch.core.api import Blueprint

blp = Blueprint("company_api", __name__, description="Company settings: tax, billing rates, payment terms")


@blp.route("/settings", methods=["GET"])
@require_role(Role.OWNER)
@blp.response(200, CompanySettingsSchema)
def get_settings():
    return service.company_settings()


@blp.route("/settings", methods=["PATCH"])
@require_role(Role.OWNER)
@blp.arguments(UpdateCompanySettingsSchema(partial=True))
@blp.response(200, CompanySettingsSchema)
def update_settings(changes):
    return service.update_company_settings(**changes)
