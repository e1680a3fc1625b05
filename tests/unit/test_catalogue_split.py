"""Issue 13 (catalogue): splitting ``services.py`` into a package must not break what was
stored under the old module paths. The city statistics are cached (in the database cache, which
outlives a deploy) as pickles that name their class by module path."""

import pickle
from decimal import Decimal

from marketplace.catalogue.services.stats import CategoryStats


def test_city_stats_cached_before_the_split_still_load():
    stats = CategoryStats(
        minimum=Decimal("800.00"), median=Decimal("1200.00"), maximum=Decimal("3000.00"), count=7
    )
    fresh = pickle.dumps(stats, protocol=0)
    assert b"marketplace.catalogue.services.stats\nCategoryStats\n" in fresh
    # What the cache held before the split: the same object, named by the old module path.
    cached_before = fresh.replace(
        b"marketplace.catalogue.services.stats\nCategoryStats\n",
        b"marketplace.catalogue.services\nCategoryStats\n",
    )

    assert pickle.loads(cached_before) == stats  # noqa: S301 - our own cache entry
