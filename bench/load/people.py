"""The simulated people: residents and enterprise staff with accounts of their own (and email
addresses, so that every filing sends a receipt by email through the jobs), added to the demo
district before the run. Each signs in through the real sign-in form."""

from __future__ import annotations

from dataclasses import dataclass

RESIDENTS = 24
STAFF = 8


@dataclass(frozen=True)
class Person:
    index: int
    kind: str  # "resident" or "staff"
    mobile: str
    email: str
    address: str  # the client address the proxy reports for them (X-Forwarded-For)


def people(count: int) -> list[Person]:
    """`count` people: three residents to one member of enterprise staff, as the accounts allow."""
    staff = max(1, min(STAFF, round(count / 4))) if count > 1 else 0
    chosen = [("resident", i) for i in range(min(RESIDENTS, count - staff))] + [("staff", i) for i in range(staff)]
    result = []
    for index, (kind, n) in enumerate(chosen):
        mobile = f"1370000{n:04d}" if kind == "resident" else f"1371000{n:04d}"
        result.append(Person(index, kind, mobile, f"{kind}{n}@load.test", f"10.77.{index // 200}.{index % 200 + 1}"))
    return result


def prepare_database(database_url: str, secret_key: str, password: str) -> set[str]:
    """Bring the empty database to this release (`flask deploy`, else the migrations and the
    calendar), seed the demo district (`flask seed-demo`) and add the load accounts, all in this
    process with the same commands an operator runs. Returns the names of the app's commands."""
    import os

    from flask_migrate import upgrade

    from portal import create_app
    from portal.extensions import db

    previous = os.environ.get("PORTAL_ENV")
    os.environ["PORTAL_ENV"] = "development"
    try:
        app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": secret_key, "LOG_FORMAT": "none",
                          "REDIS_URL": None})
    finally:
        if previous is None:
            os.environ.pop("PORTAL_ENV", None)
        else:
            os.environ["PORTAL_ENV"] = previous
    runner = app.test_cli_runner()

    def run(*args: str) -> None:
        result = runner.invoke(args=list(args))
        if result.exit_code != 0:
            raise RuntimeError(f"flask {' '.join(args)} failed: {result.output[-2000:]} {result.exception!r}")

    if "deploy" in app.cli.commands:
        run("deploy")
    else:
        with app.app_context():
            upgrade()
        run("load-calendar")
    run("seed-demo")
    with app.app_context():
        _create_people(password)
        db.engine.dispose()
    return set(app.cli.commands)


def _create_people(password: str) -> None:
    """Accounts for every possible person: residents with a valid resident ID number, and staff who
    are active agents (appeals) of one demo enterprise each."""
    from sqlalchemy import select

    from auth.passwords import hash_password
    from portal.extensions import db
    from portal.identity_numbers import resident_id_check_char
    from portal.models import (
        Account,
        Enterprise,
        Membership,
        MembershipRole,
        MembershipScope,
        MembershipStatus,
        ResidentProfile,
    )
    from portal.models.base import utcnow

    hashed = hash_password(password)
    now = utcnow()
    for n in range(RESIDENTS):
        first17 = f"31011719900202{n:03d}"
        account = Account(mobile=f"1370000{n:04d}", display_name=f"负载居民{n}", email=f"resident{n}@load.test",
                          password_hash=hashed)
        account.resident = ResidentProfile(real_name=f"负载居民{n}",
                                           resident_id_number=first17 + resident_id_check_char(first17))
        db.session.add(account)
    companies = db.session.scalars(select(Enterprise).order_by(Enterprise.id).offset(100).limit(STAFF)).all()
    for n, company in enumerate(companies):
        account = Account(mobile=f"1371000{n:04d}", display_name=f"负载企业员工{n}", email=f"staff{n}@load.test",
                          password_hash=hashed)
        db.session.add(account)
        db.session.flush()
        db.session.add(Membership(account_id=account.id, enterprise_id=company.id, role=MembershipRole.AGENT,
                                  scopes=[MembershipScope.APPEALS.value], status=MembershipStatus.ACTIVE,
                                  valid_from=now, created_at=now, confirmed_at=now))
    db.session.commit()
