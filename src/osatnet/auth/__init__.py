"""Sign-in: passwords (argon2), API tokens, rate-limited logins."""

from __future__ import annotations

from .service import Auth, IssuedToken, TooManyAttempts

__all__ = ["Auth", "IssuedToken", "TooManyAttempts"]
