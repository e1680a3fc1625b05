"""Demo data of the feedback app: reviews (demo_reviews), then complaints (demo_complaints)."""

from importlib import import_module, util


def load(out):
    from . import demo_reviews

    demo_reviews.load(out)
    name = f"{__package__}.demo_complaints"
    if util.find_spec(name) is not None:
        import_module(name).load(out)
