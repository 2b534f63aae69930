"""Users, roles, logins, API tokens and permission checks."""
