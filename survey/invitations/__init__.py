"""Reaching teachers: one invitation per teacher per wave, personal links, invitation and reminder
messages, PIN codes, the public page where a teacher asks for a lost link, and the sweeps that
invite and remind."""
