from __future__ import annotations

from click.testing import CliRunner

from conftest import PASSWORD
from solidarity.accounts import permissions
from solidarity.accounts.models import User
from solidarity.audit.models import AuditEntry
from solidarity.cli import main


def run(*args, password=PASSWORD):
    return CliRunner().invoke(main, ["accounts", "create-user", *args], input=password + "\n")


def test_create_user_with_a_focal_point_role(cast):
    result = run(
        "--username",
        "fatou",
        "--email",
        "fatou@example.org",
        "--role",
        "focal_point",
        "--country",
        "ken",
        "--password-stdin",
    )
    assert result.exit_code == 0, result.output
    assert result.output == "Created fatou (focal_point)\n"
    user = User.objects.get(username="fatou")
    assert user.check_password(PASSWORD)
    assert permissions.states_user_speaks_for(user) == {"KEN"}
    actions = list(
        AuditEntry.objects.filter(object_id=str(user.pk), actor_label="system:cli")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["user.create", "role.assign"]


def test_create_user_in_an_organisation_by_acronym(cast):
    result = run(
        "--username",
        "otieno",
        "--email",
        "otieno@example.org",
        "--role",
        "data_provider",
        "--organisation",
        "knbs",
        "--password-stdin",
    )
    assert result.exit_code == 0, result.output
    user = User.objects.get(username="otieno")
    assert permissions.has_role(user, "data_provider", organisation=cast.statistics_office)


def test_create_administrator_prompts_for_the_password(cast):
    result = CliRunner().invoke(
        main,
        [
            "accounts",
            "create-user",
            "--username",
            "root",
            "--email",
            "root@example.org",
            "--role",
            "administrator",
        ],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    user = User.objects.get(username="root")
    assert user.is_superuser
    assert user.is_staff


def test_a_role_without_its_scope_creates_nothing(cast):
    result = run(
        "--username",
        "fatou",
        "--email",
        "fatou@example.org",
        "--role",
        "focal_point",
        "--password-stdin",
    )
    assert result.exit_code == 1
    assert "Error: this role needs its scope: --country for focal_point" in result.output
    assert not User.objects.filter(username="fatou").exists()


def test_a_weak_password_is_refused(cast):
    result = run(
        "--username", "fatou", "--email", "fatou@example.org", "--password-stdin", password="short"
    )
    assert result.exit_code == 1
    assert (
        "Error: This password is too short. It must contain at least 12 characters."
        in result.output
    )
    assert not User.objects.filter(username="fatou").exists()


def test_unknown_country_and_organisation(cast):
    result = run(
        "--username",
        "x",
        "--email",
        "x@example.org",
        "--role",
        "focal_point",
        "--country",
        "XYZ",
        "--password-stdin",
    )
    assert result.exit_code == 2
    assert "no country with ISO3 code 'XYZ'" in result.output
    result = run(
        "--username",
        "x",
        "--email",
        "x@example.org",
        "--role",
        "member",
        "--organisation",
        "Nobody",
        "--password-stdin",
    )
    assert result.exit_code == 2
    assert "no organisation named 'Nobody'" in result.output


def test_help_has_an_example():
    result = CliRunner().invoke(main, ["accounts", "create-user", "--help"])
    assert result.exit_code == 0
    assert "solidarity accounts create-user --username amina" in result.output
