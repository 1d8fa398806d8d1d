"""Staff accounts, roles and scopes, authentication, and the one access policy."""
