"""The accounting of disclosures a client may ask for: requests, suspensions, the PDF and CSV given."""
