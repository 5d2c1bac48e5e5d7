"""The one list of domain modules the app serves, in the order their routes are documented.

Adding a domain is its package (``app/<domain>/`` with a ``module.py``), its ``sql/<domain>/``,
its migration, its tests, and one line here.
"""

from __future__ import annotations

from typing import Any

from app.accounts.module import module as accounts
from app.activity.module import module as activity
from app.billing.module import module as billing
from app.chat.module import module as chat
from app.cli.seed import SEED_QUERIES
from app.db.embedded import BOOTSTRAP_QUERIES
from app.db.queries import Query, bind_queries
from app.engagement.module import module as engagement
from app.essays.module import module as essays
from app.goals.module import module as goals
from app.health.module import module as health
from app.idempotency.module import module as idempotency
from app.kit.domain import Module
from app.notifications.module import module as notifications
from app.nutrition.module import module as nutrition
from app.profiles.module import module as profiles
from app.recipes.module import module as recipes
from app.tasks.module import module as tasks
from app.usage.module import module as usage
from app.weights.module import module as weights

MODULES: tuple[Module, ...] = (health, accounts, idempotency, tasks, recipes, chat, essays,
                               notifications, billing, profiles, nutrition, usage, activity,
                               weights, goals, engagement)


def load_queries(modules: tuple[Module, ...] = MODULES) -> dict[str, Query[Any]]:
    """Every statement of the modules and of the command-line tools (seed, the embedded server's
    bootstrap), bound to its file, by name: what the SQL-file and plan tests look at."""
    return bind_queries(
        [*(q for m in modules for q in m.queries), *SEED_QUERIES, *BOOTSTRAP_QUERIES],
        complete=True,
    )
