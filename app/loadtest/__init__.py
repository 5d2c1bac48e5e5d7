"""The load-test harness: a Locust suite of simulated API users (``locustfile``), the named
scenarios that weight their actions (``scenarios``), the ``python -m app loadtest`` command
(``cli``), what it records inside Locust from Locust's own numbers (``recorder``) and the report
it writes from that (``report``)."""
