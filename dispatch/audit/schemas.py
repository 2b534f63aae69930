from marshmallow import fields, validate

from dispatch.audit.models import AuditKind
from dispatch.core.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from dispatch.core.schemas import BaseSchema, Id


class AuditEntrySchema(BaseSchema):
    id = fields.Integer()
    recorded_at = fields.AwareDateTime()
    user_id = fields.Integer(allow_none=True)
    actor = fields.String(attribute="actor_name")
    kind = fields.String(
        validate=validate.OneOf([kind.value for kind in AuditKind]),
        metadata={
            "description": "money, stock and pay: amounts moved; catalogue: part prices and costs; "
            "settings: company settings; access: users added, API tokens issued and revoked."
        },
    )
    action = fields.String()
    subject_type = fields.String()
    subject_id = fields.Integer()
    changes = fields.Dict(
        keys=fields.String(),
        metadata={"description": 'What changed; an edit gives each changed field as {"before": …, "after": …}.'},
    )


class AuditFilterArgsSchema(BaseSchema):
    kind = fields.Enum(AuditKind, by_value=True, load_default=None)
    user_id = Id(strict=False, load_default=None)
    from_on = fields.Date(data_key="from", load_default=None)
    to_on = fields.Date(data_key="to", load_default=None)


class AuditPageArgsSchema(AuditFilterArgsSchema):
    """The owner's page: the filters and which page (the API pages through @blp.paginate)."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    page_size = fields.Integer(load_default=DEFAULT_PAGE_SIZE, validate=validate.Range(min=1, max=MAX_PAGE_SIZE))
