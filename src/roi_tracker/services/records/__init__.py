"""Client records: registration, search by blind index, documents, the client page, and the vault where
client plaintext is sealed and opened."""
