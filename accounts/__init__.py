"""Staff accounts, roles and scopes, authentication, the one access policy, the notices staff get
(inbox and e-mail, security alerts), and the retention of sessions, login attempts and resets."""
