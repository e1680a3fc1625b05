"""A registry of the open data sets listed at /open-data/.

Each app registers its data sets in ``AppConfig.ready()``; the index page reads
this registry, so a data set appears only once its app is built.
"""

from dataclasses import dataclass, field

from django.urls import reverse


@dataclass(frozen=True)
class Dataset:
    key: str
    title: str
    description: str
    formats: dict = field(default_factory=dict)  # {"csv": url_name, "json": url_name}
    publisher: str = "北京市民政局"
    order: int = 100

    def links(self):
        return [(fmt.upper(), reverse(url_name)) for fmt, url_name in self.formats.items()]


_datasets: dict[str, Dataset] = {}


def register_dataset(dataset):
    _datasets[dataset.key] = dataset


def datasets():
    return sorted(_datasets.values(), key=lambda d: (d.order, d.key))
