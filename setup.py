"""The wheel holds the SQL files and the migrations beside the code, as app/sql and
app/migrations, so an installed service runs from any working directory (app/resources.py finds
them there when installed, in the source tree otherwise). Everything else is in pyproject.toml."""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["app", "app.*"]), "app.sql", "app.migrations"],
    package_dir={"app.sql": "sql", "app.migrations": "migrations"},
    package_data={"app.sql": ["*/*.sql"], "app.migrations": ["*.sql"]},
    exclude_package_data={"app.sql": ["*.py", "*.in"]},
)
