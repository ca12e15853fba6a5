"""What the privacy officer does with the access log: filter, page, review flagged entries, verify; and the
alerts that reach auditors."""
