"""Password hashing with argon2id (ASVS 11.4.2: t=2, m=19 MiB, p=1 at least) and the policy for new ones."""

import functools

from argon2 import PasswordHasher
from argon2 import Type
from argon2.exceptions import InvalidHashError
from argon2.exceptions import VerificationError
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from roi_tracker.config import PasswordHashing
from roi_tracker.domain.errors import InvalidInput

MIN_LENGTH = 12
MAX_LENGTH = 128
POLICY = f"At least {MIN_LENGTH} characters, and not one of the commonly used passwords."


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


@functools.cache
def _common() -> frozenset[str]:
    # zxcvbn's 30,000 most common passwords from leaked sets (NIST SP 800-63B 3.1.1.2: "passwords obtained
    # from previous breach corpuses"), lowercase; loaded once, on the first password set.
    return frozenset(FREQUENCY_LISTS["passwords"])


def is_common(password: str) -> bool:
    """Tell whether `password` is, ignoring case, one of the commonly used passwords."""
    return password.lower() in _common()


def problems_with(password: str) -> list[str]:
    """Return what is wrong with a new password: length and commonness, no composition rules (SP 800-63B)."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"the password must be at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        problems.append(f"the password must be at most {MAX_LENGTH} characters")
    if is_common(password):
        problems.append("the password is one of the most commonly used passwords; choose another")
    return problems


def require_acceptable(password: str, *, field: str = "password") -> None:
    """Raise InvalidInput naming every problem with a new password (the one rule wherever one is set)."""
    problems = problems_with(password)
    if problems:
        raise InvalidInput("; ".join(problems), field=field)
