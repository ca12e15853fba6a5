"""The web pages: blueprints by capability, their forms and templates (mounted by roi_tracker.app)."""
