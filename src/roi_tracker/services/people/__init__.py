"""Staff accounts and signing in: users, passwords with throttling, the second factor, sessions, step-up."""
