"""Districts, schools and the teachers' identity vault, and the roster import that fills them."""
