"""Flask-WTF forms by capability: every field labelled, every limit stated."""
