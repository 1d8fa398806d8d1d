"""Reaching teachers: one invitation per teacher per wave, personal links, invitation and reminder
messages, PIN codes, and the public page where a teacher asks for a lost link."""
