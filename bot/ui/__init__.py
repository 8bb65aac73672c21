"""Presentation: every word (text), every Block Kit message, view and form, and their IDs.

Services use it; the core and the database never do.
"""
