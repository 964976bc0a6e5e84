"""The demo world: what ``make run`` puts into an empty database so a newcomer sees the product.

Deterministic. Demo accounts exist only here (never in a production database, which starts
with ``python -m forecasting users create-admin``), and the database is marked ``demo`` so the
app shows a banner.
"""

from forecasting.demo.world import DEMO_PASSWORD, DEMO_USERS, is_demo, seed_if_empty

__all__ = ["DEMO_PASSWORD", "DEMO_USERS", "is_demo", "seed_if_empty"]
