"""Micro-benchmark of ``gettext``: Django's chained catalogues against ``core.i18n``'s flat ones.

Times N calls of ``django.utils.translation.gettext`` in Chinese and in English, for our own
Chinese source strings (no zh_Hans entry: a miss on a Chinese page) and for strings of
Django and Wagtail (hits in their catalogues), once with Django's own ``translation()``
(``core.i18n.uninstall()``) and once with the flat catalogues (``core.i18n.install()``), in
the same process. Prints a table and writes ``benchmarks/results/gettext.md``.

No database and no server: ``.venv/bin/python benchmarks/i18n_lookup.py [--calls N] [--repeat R]``.
The numbers are per call, best of R runs; on a shared machine they are rough, so the load
average before and after is recorded with them.
"""

import os
import sys

# Run as a script, this file's folder comes first on sys.path, where this module's name
# would shadow the standard library's `gettext` (which argparse and Django import).
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [entry for entry in sys.path if os.path.abspath(entry or os.curdir) != _HERE]

import argparse  # noqa: E402
import datetime  # noqa: E402
import platform  # noqa: E402
import timeit  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

# Strings the public pages translate on every request: the header, footer and registry list
# (ours, Chinese msgids), and framework strings that appear in forms and the admin.
OUR_MESSAGES = [
    "跳到主要内容",
    "主导航",
    "登录",
    "注册",
    "首页",
    "社会组织信息查询",
    "统一社会信用代码",
    "业务主管单位",
    "慈善组织",
    "查询",
    "清除条件",
    "北京市民政局",
    "%(district)s民政局",
    "朝阳区",
    "正常",
]
FRAMEWORK_MESSAGES = [
    "This field is required.",
    "Enter a valid email address.",
    "Search",
    "Next",
    "Previous",
    "Save",
    "Delete",
    "Date",
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200_000, help="gettext calls per measurement")
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement; the best counts")
    parser.add_argument("--output", default=str(ROOT / "benchmarks" / "results" / "gettext.md"))
    return parser.parse_args()


def per_call_ns(messages, calls, repeat):
    from django.utils.translation import gettext

    rounds = max(1, calls // len(messages))

    def run():
        for _ in range(rounds):
            for message in messages:
                gettext(message)

    best = min(timeit.repeat(run, number=1, repeat=repeat))
    return best / (rounds * len(messages)) * 1e9


def chain_length(language):
    """How many dictionaries a missing message walks: the catalogue chain plus fallbacks."""
    from django.utils.translation import trans_real

    translation = trans_real.DjangoTranslation(language)
    length = len(translation._catalog._catalogs)
    fallback = translation._fallback
    while fallback is not None:
        length += len(getattr(fallback, "_catalogs", [fallback]))
        fallback = getattr(fallback, "_fallback", None)
    return length


def measure(calls, repeat):
    from django.utils import translation

    from core import i18n

    rows = []
    for language in ("zh-hans", "en"):
        for label, messages in (("ours", OUR_MESSAGES), ("Django/Wagtail", FRAMEWORK_MESSAGES)):
            timings = {}
            for mode, switch in (("chained", i18n.uninstall), ("flat", i18n.install)):
                switch()
                with translation.override(language):
                    per_call_ns(messages, calls // 10, 1)  # build the catalogues, warm up
                    timings[mode] = per_call_ns(messages, calls, repeat)
            rows.append((language, label, timings["chained"], timings["flat"]))
    i18n.install()
    return rows


def main():
    args = parse_args()
    import django

    django.setup()

    load_before = os.getloadavg()
    rows = measure(args.calls, args.repeat)
    load_after = os.getloadavg()
    chains = {language: chain_length(language) for language in ("zh-hans", "en")}

    table = [
        "| language | messages | chained (ns/call) | flat (ns/call) | speed-up |",
        "|---|---|---:|---:|---:|",
    ]
    for language, label, chained, flat in rows:
        table.append(f"| {language} | {label} | {chained:.0f} | {flat:.0f} | {chained / flat:.1f}× |")
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    text = "\n".join(
        [
            "# gettext benchmark",
            "",
            f"Produced by `benchmarks/i18n_lookup.py` on {now}.",
            "",
            f"- {args.calls:,} `gettext` calls per measurement, best of {args.repeat}, in one process;"
            " `chained` is Django's own `trans_real.translation()`, `flat` is `core.i18n`.",
            f"- Dictionaries Django's chain holds (catalogues plus fallbacks): zh-hans {chains['zh-hans']},"
            f" en {chains['en']}; the flat translation looks up one.",
            f"- `ours`: {len(OUR_MESSAGES)} Chinese source strings of the header and the registry list;"
            f" `Django/Wagtail`: {len(FRAMEWORK_MESSAGES)} framework strings.",
            f"- Machine: {platform.machine()}, {os.cpu_count()} CPUs shared with other work; load average"
            f" {load_before[0]:.1f} before the run and {load_after[0]:.1f} after it. The numbers are"
            " rough: compare the two columns of one run, not runs on different days.",
            "",
            *table,
            "",
        ]
    )
    print(text)
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
