"""The census: waves, invitations, consent, the teacher's web form, drafts and submissions."""
