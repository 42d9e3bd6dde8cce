"""``solidarity fund``: open a call from a YAML file and run its allocation."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

CALL_EXAMPLE = """\
code: imrf-2026-participation
title: Participation in the IMRF 2026
cycle: IMRF-2026
budget: 250000
currency: USD
opens_on: 2026-01-15
closes_on: 2026-03-31
eligibility: |
  Migrants, migrant-led organisations and host-community groups who could not attend otherwise.
min_awards_per_region: 1
min_women_share: 0.5
max_region_share: 0.4
criteria:
  - {name: Relevance to the GCM objectives, weight: 3, max_points: 10}
  - {name: Voice of people otherwise unheard, weight: 2, max_points: 10}
"""


def _setup() -> None:
    from solidarity.cli import setup_django

    setup_django()


@click.group(epilog="Example:\n\n\b\n  solidarity fund allocate imrf-2026-participation --as rita")
def fund() -> None:
    """The participation fund: calls and their allocation."""


def _field(data: dict[str, Any], name: str, path: Path) -> Any:
    if name not in data:
        raise click.ClickException(f"{path}: the field {name!r} is missing.")
    return data[name]


@fund.command(
    name="create-call",
    epilog="Example:\n\n\b\n  solidarity fund create-call call.yaml\n\nA call file:\n\n\b\n"
    + CALL_EXAMPLE,
)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def create_call(path: Path) -> None:
    """Open a call for applications described in a YAML file (see the example)."""
    _setup()
    import yaml
    from django.core.exceptions import ValidationError

    from solidarity.fund.actions import CriterionSpec, call_create

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise click.ClickException(f"{path}: expected a mapping of fields, as in the example.")
    try:
        criteria = [
            CriterionSpec(
                name=str(item["name"]),
                weight=Decimal(str(item["weight"])),
                max_points=int(item.get("max_points", 10)),
                description=str(item.get("description", "")),
            )
            for item in _field(data, "criteria", path)
        ]
        call = call_create(
            actor="system:cli",
            code=str(_field(data, "code", path)),
            title=str(_field(data, "title", path)),
            cycle_code=str(_field(data, "cycle", path)),
            budget=Decimal(str(_field(data, "budget", path))),
            currency=str(data.get("currency", "USD")),
            opens_on=_date(_field(data, "opens_on", path), "opens_on", path),
            closes_on=_date(_field(data, "closes_on", path), "closes_on", path),
            eligibility_rules=str(_field(data, "eligibility", path)),
            description=str(data.get("description", "")),
            min_awards_per_region=int(data.get("min_awards_per_region", 0)),
            min_women_share=Decimal(str(data.get("min_women_share", 0))),
            max_region_share=Decimal(str(data.get("max_region_share", 1))),
            criteria=criteria,
        )
    except (KeyError, TypeError, ValueError, ArithmeticError) as error:
        raise click.ClickException(f"{path}: {error!r} in a field; see the example.") from None
    except ValidationError as error:
        raise click.ClickException(f"{path}: {' '.join(error.messages)}") from None
    click.echo(f"Call {call.code} opened for the cycle {call.cycle_code}.")


def _date(value: Any, name: str, path: Path) -> datetime.date:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise click.ClickException(f"{path}: {name} must be a date, YYYY-MM-DD.") from None


@fund.command(
    name="allocate",
    epilog="Example:\n\n\b\n  solidarity fund allocate imrf-2026-participation --as rita",
)
@click.argument("code")
@click.option("--as", "username", required=True, help="The secretariat member running it.")
@click.option("--publish", is_flag=True, help="Publish the results at once.")
def allocate(code: str, username: str, publish: bool) -> None:
    """Choose the grants of a call with HiGHS and print every decision with its reason."""
    _setup()
    from django.core.exceptions import PermissionDenied, ValidationError

    from solidarity.accounts.models import User
    from solidarity.fund.actions import allocation_publish, allocation_run
    from solidarity.fund.models import FundCall

    call = FundCall.objects.filter(code=code).first()
    if call is None:
        raise click.BadParameter(f"no call with code {code!r}", param_hint="CODE")
    user = User.objects.filter(username=username).first()
    if user is None:
        raise click.BadParameter(f"no user {username!r}", param_hint="--as")
    try:
        run = allocation_run(actor=user, call=call)
        if publish:
            allocation_publish(actor=user, run=run)
    except PermissionDenied as error:
        raise click.ClickException(str(error)) from None
    except ValidationError as error:
        raise click.ClickException(" ".join(error.messages)) from None
    click.echo(
        f"{run.status}: {run.total_amount} {call.currency} awarded, total score {run.total_score}"
        + (" (published)" if publish else "")
    )
    for decision in run.decisions.select_related("application"):
        mark = "AWARD" if decision.awarded else "-"
        click.echo(f"{mark:5}  {decision.application.name}: {decision.reason}")
