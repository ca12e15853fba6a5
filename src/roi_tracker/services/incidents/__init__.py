"""Incidents and breach notification (regulatory.md section 9): reported by anyone or opened by the product,
assessed by the privacy officer, notified on a clock, never deleted."""
