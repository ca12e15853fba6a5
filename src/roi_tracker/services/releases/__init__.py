"""Written releases: authorizations and their terms, the recipients directory, the release packet, FHIR export
and the expiring-releases dashboard."""
