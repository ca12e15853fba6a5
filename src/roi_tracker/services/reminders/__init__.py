"""Reminders (issue 21): who needs to act on what, by e-mail and on the home page, with no PHI.

`sources` says which items need which people; `collect` gathers them per person; `preferences` keeps a
person's address and opt-outs; `notify` sends each person one message a run, never the same item twice a
day; `mail` speaks SMTP.
"""
