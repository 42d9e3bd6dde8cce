from solidarity.config import settings as project_settings


def test_passwords_are_hashed_with_argon2():
    assert project_settings.PASSWORD_HASHERS[0] == (
        "django.contrib.auth.hashers.Argon2PasswordHasher"
    )


def test_logins_are_throttled_after_five_failures():
    assert project_settings.AXES_FAILURE_LIMIT == 5
    assert "solidarity.accounts.middleware.TwoFactorRequiredMiddleware" in (
        project_settings.MIDDLEWARE
    )
