from marshmallow import fields, validate

from dispatch.auth.models import Role
from dispatch.core.money import Money
from dispatch.core.schemas import BaseSchema

ROLES = [role.value for role in Role]


class UserSchema(BaseSchema):
    id = fields.Integer(dump_only=True)
    email = fields.Email()
    name = fields.String()
    role = fields.String()


class StaffMemberSchema(UserSchema):
    """A user as the owner sees them, pay rate included."""

    is_active = fields.Boolean()
    hourly_rate = Money(allow_none=True)


class CreateUserSchema(BaseSchema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=8, max=256))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    hourly_rate = Money(load_default=None, allow_none=True, validate=validate.Range(min=0))


class LoginSchema(BaseSchema):
    email = fields.String(required=True, validate=validate.Length(min=1, max=254))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=256))


class TokenSchema(BaseSchema):
    token = fields.String()
    user = fields.Nested(UserSchema)
