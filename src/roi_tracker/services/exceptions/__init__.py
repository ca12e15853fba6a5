"""Confidentiality exceptions (duty to warn, mandated reports, court orders, Part 2 emergencies), emergency
access, and the privacy officer's review of both."""
