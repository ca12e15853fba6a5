"""Signing in the office: the practice's release form templates, the rendered form, and on-screen signing."""
