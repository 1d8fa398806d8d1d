"""Running the service: the request cycle, logging, errors, health check, the one scheduler, each
app's retention registry, migrations, and the db, keys, recovery and retention commands.

Plumbing below every feature: a feature registers its jobs, rules and commands from
``create_app``, and ops imports none of them. The one exception is ``ops.recovery``, a second,
minimal app for restoring the keys: it imports the list of model modules to know every sealed
table, and its address is printed in every key backup.
"""
