from flask import request

from dispatch.auth import service
from dispatch.auth.access import bearer_token, current_actor, public, require_role
from dispatch.auth.models import Role
from dispatch.auth.schemas import CreateUserSchema, LoginSchema, StaffMemberSchema, TokenSchema, UserSchema
from dispatch.core.api import Blueprint
from dispatch.core.errors import Unauthenticated

blp = Blueprint("auth_api", __name__, description="Logging in, API tokens and users")


@blp.route("/auth/tokens", methods=["POST"])
@public
@blp.arguments(LoginSchema)
@blp.response(201, TokenSchema)
def create_token(credentials):
    """Log in: trade an email and password for a bearer token."""
    user = service.attempt_login(credentials["email"], credentials["password"], request.remote_addr or "")
    if user is None:
        raise Unauthenticated("Invalid email or password.")
    return {"token": service.issue_token(user), "user": user}


@blp.route("/auth/tokens/current", methods=["DELETE"])
@blp.response(204)
def revoke_current_token():
    """Log out: the token of this request stops working."""
    service.revoke_token(bearer_token())


@blp.route("/me", methods=["GET"])
@blp.response(200, UserSchema)
def me():
    return current_actor()


@blp.route("/users", methods=["POST"])
@require_role(Role.OWNER)
@blp.arguments(CreateUserSchema)
@blp.response(201, StaffMemberSchema)
def create_user(new_user):
    """Add a user; a technician also gets a van stock location."""
    return service.create_user(**new_user)


@blp.route("/users", methods=["GET"])
@require_role(Role.OWNER)
@blp.response(200, StaffMemberSchema(many=True))
@blp.paginate()
def list_users():
    return service.list_users()
