"""The front-desk gate: disclosure checks, recorded disclosures, and copies given to the client themselves."""
