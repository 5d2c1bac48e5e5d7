"""Named scenarios: how often a simulated user does each action, as relative weights.

Kept free of Locust imports, so the command line can check a scenario before starting anything.
A user can change any weight (``--weights create_task=0,browse_tasks=10``); weight 0 turns an action
off.
"""

from __future__ import annotations

ACTIONS: dict[str, str] = {
    "browse_tasks": "GET /tasks, following next_cursor for up to three pages",
    "open_task": "GET /tasks/{id} of one of the user's tasks",
    "task_stats": "GET /tasks/stats",
    "create_task": "POST /tasks",
    "complete_task": "PATCH /tasks/{id} {completed: true}",
    "edit_task": "PATCH /tasks/{id} {title, description} with If-Match from a GET",
    "delete_task": "DELETE /tasks/{id}",
    "create_recipe": "POST /recipes with a small document",
    "search_recipes": "GET /recipes?q=...&sort=calories",
    "search_by_tag": "GET /recipes?tag=...",
    "search_by_ingredient": "GET /recipes?ingredient=...&sort=total_time",
    "browse_favorites": "GET /recipes?favorite=true",
    "browse_tags": "GET /tags",
    "open_recipe": "GET /recipes/{id}",
    "tag_recipe": "PUT /recipes/{id}/tags with one to three tags",
    "favorite_recipe": "PUT /recipes/{id}/favorite, or now and then DELETE it",
    "record_history": "POST /recipes/{id}/history",
    "read_history": "GET /recipes/{id}/history",
    "browse_conversations": "GET /conversations",
    "start_conversation": "POST /conversations",
    "send_message": "POST /conversations/{id}/messages",
    "read_messages": "GET /conversations/{id}/messages",
    "submit_batch": "POST /batches with 20 essays",
    "process_essays": "POST /batches/{id}/claim, then PATCH /essays/{id} to completed or failed",
    "check_batch": "GET /batches/{id}",
    "browse_batches": "GET /batches",
    "read_batch_essays": "GET /batches/{id}/essays, all of them or only the completed ones",
    "browse_notifications": "GET /notifications, all of them or only the unread ones",
    "read_notification": "PATCH /notifications/{id} {is_read: true}",
    "read_all_notifications": "POST /notifications/read-all {before: the newest id seen}",
    "delete_notification": "DELETE /notifications/{id}",
    "set_profile": "PUT /profile, then now and then PATCH /profile {weight_kg} with If-Match",
    "log_meal": "POST /food-logs with three items, eaten now or earlier today",
    "browse_food_logs": "GET /food-logs, following next_cursor for up to three pages",
    "open_food_log": "GET /food-logs/{id}",
    "edit_food_log": "PATCH /food-logs/{id} {items} with If-Match from a GET",
    "delete_food_log": "DELETE /food-logs/{id}",
    "drink_water": "POST /water",
    "view_days": "GET /nutrition/days for the last week or the last 30 days",
    "view_day": "GET /nutrition/days/{date} of one of the last days",
    "reserve_quota": "POST /usage/{kind}/reserve (a 429 once the day's quota is used is "
                     "expected), and now and then POST /usage/{kind}/release",
    "check_usage": "GET /usage",
    "log_activity": "POST /activities (calories estimated, or now and then sent)",
    "browse_activities": "GET /activities, following next_cursor for up to three pages",
    "edit_activity": "PATCH /activities/{id} {duration_min} with If-Match from a GET",
    "delete_activity": "DELETE /activities/{id}",
    "weigh_in": "POST /weights (the profile's weight and targets follow)",
    "browse_weights": "GET /weights",
    "view_weight_trend": "GET /weights/trend for the last 30 days or the last year",
    "set_goal": "POST /goals: a weight goal, or a daily or weekly amount",
    "view_goals": "GET /goals, all or only the active ones",
    "open_goal": "GET /goals/{id}",
    "view_today": "GET /today (the home screen)",
    "view_streaks": "GET /streaks",
    "view_stats": "GET /stats",
    "view_achievements": "GET /achievements",
}

SCENARIOS: dict[str, dict[str, int]] = {
    "read-heavy": {
        "browse_tasks": 30, "open_task": 40, "task_stats": 5, "create_task": 5,
        "complete_task": 4, "edit_task": 2, "delete_task": 1, "search_recipes": 5,
        "search_by_tag": 3, "search_by_ingredient": 3, "browse_favorites": 2, "browse_tags": 2,
        "open_recipe": 4, "tag_recipe": 1, "favorite_recipe": 1, "read_history": 2,
        "browse_conversations": 3, "read_messages": 4, "check_batch": 3, "browse_batches": 2,
        "read_batch_essays": 3, "browse_notifications": 6, "read_notification": 2,
        "read_all_notifications": 1,
    },
    "write-heavy": {
        "browse_tasks": 8, "open_task": 8, "create_task": 30, "complete_task": 15,
        "edit_task": 12, "delete_task": 10, "create_recipe": 6, "tag_recipe": 4,
        "favorite_recipe": 3, "record_history": 4, "start_conversation": 2, "send_message": 9,
        "submit_batch": 2, "process_essays": 4, "read_batch_essays": 1, "browse_notifications": 2,
        "read_notification": 3, "read_all_notifications": 2, "delete_notification": 2,
    },
    "mixed": {
        "browse_tasks": 20, "open_task": 25, "task_stats": 2, "create_task": 12,
        "complete_task": 8, "edit_task": 6, "delete_task": 4, "create_recipe": 3,
        "search_recipes": 4, "search_by_tag": 2, "search_by_ingredient": 2,
        "browse_favorites": 1, "browse_tags": 1, "open_recipe": 3, "tag_recipe": 2,
        "favorite_recipe": 2, "record_history": 2, "read_history": 1,
        "browse_conversations": 2, "start_conversation": 1, "send_message": 6,
        "read_messages": 6, "submit_batch": 1, "process_essays": 2, "check_batch": 2,
        "browse_batches": 1, "read_batch_essays": 2, "browse_notifications": 4,
        "read_notification": 2, "read_all_notifications": 1, "delete_notification": 1,
        "set_profile": 1, "log_meal": 3,
        "browse_food_logs": 1, "open_food_log": 1, "edit_food_log": 1, "delete_food_log": 1,
        "drink_water": 2, "view_days": 3, "view_day": 1, "reserve_quota": 2, "check_usage": 1,
        "log_activity": 2, "browse_activities": 1, "edit_activity": 1, "delete_activity": 1,
        "weigh_in": 1, "browse_weights": 1, "view_weight_trend": 2, "set_goal": 1,
        "view_goals": 2, "open_goal": 1,
        "view_today": 4, "view_streaks": 1, "view_stats": 1, "view_achievements": 1,
    },
    "nutrition": {
        "set_profile": 2, "log_meal": 20, "browse_food_logs": 6, "open_food_log": 8,
        "edit_food_log": 5, "delete_food_log": 3, "drink_water": 12, "view_days": 20,
        "view_day": 10, "reserve_quota": 10, "check_usage": 4,
    },
    "fitness": {
        "set_profile": 2, "log_activity": 15, "browse_activities": 6, "edit_activity": 4,
        "delete_activity": 2, "weigh_in": 8, "browse_weights": 4, "view_weight_trend": 12,
        "set_goal": 3, "view_goals": 20, "open_goal": 8, "view_days": 10, "log_meal": 6,
    },
    # A home screen opened many times a day, between the writes that move what it shows.
    "engagement": {
        "log_meal": 15, "delete_food_log": 2, "drink_water": 10, "create_recipe": 1,
        "record_history": 2,
        "view_today": 40, "view_streaks": 6, "view_stats": 6, "view_achievements": 4,
        "browse_notifications": 5,
    },
}


class ScenarioError(ValueError):
    pass


def weights(scenario: str, overrides: str | None = None) -> dict[str, int]:
    """The scenario's weights with ``overrides`` ("action=weight,...") applied; only actions
    with a positive weight remain."""
    if scenario not in SCENARIOS:
        raise ScenarioError(f"unknown scenario {scenario!r}; choose from {', '.join(SCENARIOS)}")
    result = dict(SCENARIOS[scenario])
    for item in filter(None, (part.strip() for part in (overrides or "").split(","))):
        action, sep, value = item.partition("=")
        action = action.strip()
        if not sep or action not in ACTIONS:
            raise ScenarioError(
                f"bad weight {item!r}: expected action=weight with an action among "
                f"{', '.join(ACTIONS)}"
            )
        try:
            weight = int(value)
        except ValueError:
            raise ScenarioError(f"bad weight {item!r}: the weight must be an integer") from None
        if not 0 <= weight <= 1000:
            raise ScenarioError(f"bad weight {item!r}: the weight must be 0-1000")
        result[action] = weight
    result = {action: weight for action, weight in result.items() if weight > 0}
    if not result:
        raise ScenarioError("every action has weight 0: nothing to do")
    return result
