"""Early analysis on the census: the response-quality notes, and the second reader that looks one
wave ahead (its model files, stored predictions in shadow mode, the switch two security
administrators turn, and the psychologists' "consider a check-in" list).

The arithmetic lives in the pure core (``scoring.quality``, ``scoring.reliability``,
``scoring.risk_model``); this package reads ``census``, stores what it finds, and reaches
``alerts`` only through ``alerts.door``. A flag or a prediction never lowers a level, never
delays routing and never acts alone: a person decides.
"""
