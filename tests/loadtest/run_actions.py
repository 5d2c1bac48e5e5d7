"""Run every load-test action once, in the order of ``ACTIONS``, as one simulated user of the
service at the URL given, then one more (``after_expiry``: browse_tasks once the access token is
due for renewal, twice), and print as JSON what each one requested: ``{"on_start": [...],
action: [[method, name, status, error], ...], ...}``.

A subprocess of ``test_actions.py``: importing Locust patches the standard library for gevent,
which the test process must not be.
"""

from __future__ import annotations

import json
import sys

from locust.env import Environment

from app.loadtest.locustfile import ApiUser
from app.loadtest.scenarios import ACTIONS


def main(url: str) -> None:
    ApiUser.host = url  # what Locust's runner does with --host
    environment = Environment(user_classes=[ApiUser], host=url)
    made: list[list] = []

    def record(request_type, name, response, exception, **_kwargs) -> None:
        made.append([request_type, name, getattr(response, "status_code", None),
                     None if exception is None else str(exception)])

    environment.events.request.add_listener(record)
    user = ApiUser(environment)
    user.on_start()
    report = {"on_start": list(made)}
    for action in ACTIONS:
        made.clear()
        getattr(user, action)()
        report[action] = list(made)
    made.clear()
    for _ in range(2):
        user.renew_at = 0.0
        user.browse_tasks()
    report["after_expiry"] = list(made)
    print(json.dumps(report))


if __name__ == "__main__":
    main(sys.argv[1])
