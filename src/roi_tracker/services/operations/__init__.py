"""The instance itself: creation and key checks, backups and restores, key rotation and crypto-shredding,
the daily maintenance run."""
