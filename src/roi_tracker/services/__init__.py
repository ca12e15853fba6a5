"""Use cases: one function each, one transaction each, collaborators passed in; no Flask here."""
