from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DJANGO_SECRET_KEY": "x9!k2v#Qm8$rT4&wZ7pL0^nB3*cF6hJ1@dG5sA8eY2uI4oP7-lK9",
    "DJANGO_ALLOWED_HOSTS": "bruggen.example.nl",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://bruggen.example.nl",
    "DATABASE_URL": "postgres://bruggen:geheim@postgres:5432/bruggen",
    "REDIS_URL": "redis://redis:6379/0",
    "DJANGO_EMAIL_URL": "smtp+tls://bruggen:geheim@smtp.example.nl:587",
}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_SECRET_KEY"}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_makes_email_verification_mandatory_and_hashes_with_argon2():
    code = (
        "from django.conf import settings as s;"
        "print(s.ACCOUNT_EMAIL_VERIFICATION, s.PASSWORD_HASHERS[0].rsplit('.', 1)[-1],"
        " s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0)"
    )
    result = _manage("shell", "--no-imports", "-c", code, env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["mandatory", "Argon2PasswordHasher", "True", "True", "True"]


def test_production_requires_two_factor_authentication_for_staff():
    code = "from django.conf import settings as s; print(s.BRUGGEN_STAFF_REQUIRE_MFA)"
    result = _manage("shell", "--no-imports", "-c", code, env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True"]


def test_production_cookies_carry_the_host_prefix_and_every_page_a_content_security_policy():
    code = (
        "from django.conf import settings as s;"
        "from config.content_security import DEFAULT_POLICY as p;"
        "print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME,"
        " 'config.content_security.ContentSecurityPolicyMiddleware' in s.MIDDLEWARE,"
        " p['frame-ancestors'], p['object-src'], p['base-uri'], p['script-src'])"
    )
    result = _manage("shell", "--no-imports", "-c", code, env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "__Host-sessionid",
        "__Host-csrftoken",
        "True",
        "'none'",
        "'none'",
        "'none'",
        "'self'",
    ]
