"""The audit chain: an append-only, HMAC-chained log of who did what, checkpoints and verify.

Services call ``record`` (in their transaction) or ``record_independently`` (committed at once,
for events that must survive a rollback); auditors read through ``list_entries`` and check the
log with ``verify_chain``. Entries hold pseudonymous ids only (see ``privacy.audit.fields``).
"""

from privacy.audit.checkpoint import Checkpoint, CheckpointError, parse_checkpoint, sign_checkpoint
from privacy.audit.diagnose import Problem, ProblemKind
from privacy.audit.fields import Action, AuditFieldError, Outcome
from privacy.audit.models import AuditEntry, AuditHead
from privacy.audit.queries import EntryFilter, EntryPage, list_entries
from privacy.audit.record import AuditUnavailable, record, record_independently
from privacy.audit.verify import VerifyResult, verify_chain

__all__ = [
    "Action",
    "AuditEntry",
    "AuditFieldError",
    "AuditHead",
    "AuditUnavailable",
    "Checkpoint",
    "CheckpointError",
    "EntryFilter",
    "EntryPage",
    "Outcome",
    "Problem",
    "ProblemKind",
    "VerifyResult",
    "list_entries",
    "parse_checkpoint",
    "record",
    "record_independently",
    "sign_checkpoint",
    "verify_chain",
]
