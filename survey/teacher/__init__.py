"""The teacher's side of the census at ``/s/<token>``: the link and its gate (phone digits, PIN),
consent, one page per instrument saved as a sealed draft, submission, feedback and results."""
