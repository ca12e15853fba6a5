"""Password hashing with argon2id (ASVS 11.4.2: t=2, m=19 MiB, p=1 at least)."""

from argon2 import PasswordHasher
from argon2 import Type
from argon2.exceptions import InvalidHashError
from argon2.exceptions import VerificationError

from roi_tracker.config import PasswordHashing

MIN_LENGTH = 12
MAX_LENGTH = 128


class Hasher:
    """Hash and check passwords at the configured cost."""

    def __init__(self, cost: PasswordHashing) -> None:
        self._hasher = PasswordHasher(
            time_cost=cost.time_cost,
            memory_cost=cost.memory_kib,
            parallelism=cost.parallelism,
            type=Type.ID,
        )
        # A hash to check against when the account does not exist, so timing does not reveal usernames.
        self._dummy = self._hasher.hash("not a real password, only for timing")

    def hash(self, password: str) -> str:
        """Return the argon2id hash of `password`."""
        return self._hasher.hash(password)

    def check(self, stored: str | None, password: str) -> bool:
        """Tell whether `password` matches `stored` (spending the same time when there is no account)."""
        try:
            return self._hasher.verify(stored or self._dummy, password) and stored is not None
        except (VerificationError, InvalidHashError):
            return False


def problems_with(password: str) -> list[str]:
    """Return what is wrong with a new password (ASVS 6.2: length, not composition rules)."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"the password must be at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        problems.append(f"the password must be at most {MAX_LENGTH} characters")
    return problems
