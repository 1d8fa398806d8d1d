"""The census as data: waves, invitations and responses, and each teacher's score history.

A base-layer read model. Features below the teacher's pages (alerts, reports) read these tables
and never import ``survey``; only ``survey`` changes a wave's state or writes a response.
"""
