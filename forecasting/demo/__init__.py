"""The demo world: what ``make run`` puts into an empty database so a newcomer sees the product.

Deterministic. Demo accounts exist only here (never in a production database, which starts
with ``python -m forecasting users create-admin``), and the database is marked ``demo`` so the
app shows a banner.
"""

from forecasting.demo.world import (
    BUILD_KEY,
    DEMO_PASSWORD,
    DEMO_USERS,
    build_demo_world,
    demo_day,
    demo_state,
    is_demo,
    seed_if_empty,
    todays_seats,
)

__all__ = ["BUILD_KEY", "DEMO_PASSWORD", "DEMO_USERS", "build_demo_world", "demo_day", "demo_state", "is_demo",
           "seed_if_empty", "todays_seats"]
