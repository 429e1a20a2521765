"""Benchmark: three dashboard questions over 10,000,000 order lines, three ways, in one run.

    .venv/bin/python bench/analytics.py [--lines 10000000] [--repeat 7] [--reuse]

Synthetic order lines (two years, 2,000 SKUs of 400 products in 40 categories, popularity skewed
like a real shop, 34 provinces, returns at 3–25% by category with the case opened 1–15 days after
the sale) are generated with NumPy, then written twice:

* into aftersales' own rollup table (every cube, day/week/month rows, as the services keep it), in the
  database of DATABASE_URL (default: an SQLite file under var/), and answered through
  `aftersales.analytics.selectors` — the code behind the dashboard and the API;
* as raw lines in a Parquet file, answered by DuckDB scanning it, and by pandas on the same lines
  already loaded in memory (loading is not timed).

The questions: return rate by SKU over the last 90 days; by province × category over a year; the
weekly trend of one category over a year. Each engine answers with the same list — (key, units sold,
units returned) in key order — which must be identical across the three; each is timed from the
question to that list (median of --repeat runs after a first, untimed one). One JSON line per question,
times in milliseconds.
pandas, pyarrow and duckdb are needed for the benchmark only.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

END = date(2025, 11, 20)  # a Thursday in mid-month: periods do not line up with weeks or months
DAYS = 730
N_SKUS, N_PRODUCTS, N_CATEGORIES = 2000, 400, 40
PROVINCES = (
    "北京",
    "天津",
    "河北",
    "山西",
    "内蒙古",
    "辽宁",
    "吉林",
    "黑龙江",
    "上海",
    "江苏",
    "浙江",
    "安徽",
    "福建",
    "江西",
    "山东",
    "河南",
    "湖北",
    "湖南",
    "广东",
    "广西",
    "海南",
    "重庆",
    "四川",
    "贵州",
    "云南",
    "西藏",
    "陕西",
    "甘肃",
    "青海",
    "宁夏",
    "新疆",
    "香港",
    "澳门",
    "台湾",
)
PLATFORMS = ("douyin", "taobao", "tmall", "jd", "pdd", "own")
CHANNELS = ("live_stream", "short_video", "search", "shop_page", "other")
REASONS = ("size_fit", "quality_defect", "not_as_described", "no_reason", "damaged_in_transit", "wrong_item")


def generate(n: int, seed: int) -> dict[str, np.ndarray]:
    """n order lines as columns; about 1.4 lines per order."""
    rng = np.random.default_rng(seed)
    first_day = np.datetime64(END - timedelta(days=DAYS - 1))
    day = np.sort(rng.integers(0, DAYS, n)).astype("int32")
    order_id = np.cumsum(rng.random(n) < 0.7).astype("int64")
    popularity = 1.0 / np.arange(1, N_SKUS + 1) ** 1.1
    sku = rng.choice(N_SKUS, n, p=popularity / popularity.sum()).astype("int32") + 1
    channel = rng.choice(len(CHANNELS), n, p=[0.35, 0.25, 0.2, 0.1, 0.1]).astype("int8")
    # A live session or a video sells on its day, a selection of about 20 products.
    from_content = channel <= 1
    content = np.where(from_content, day * 40 + rng.integers(0, 40, n) + 1, 0).astype("int32")
    chosen = (content.astype("int64") * 7919 % N_PRODUCTS + rng.integers(0, 20, n)) % N_PRODUCTS
    sku = np.where(from_content, chosen * 5 + rng.integers(0, 5, n) + 1, sku).astype("int32")
    product = ((sku - 1) // 5 + 1).astype("int32")
    category = ((product - 1) % N_CATEGORIES + 1).astype("int32")
    weights = np.linspace(3, 0.2, len(PROVINCES))
    province = rng.choice(len(PROVINCES), n, p=weights / weights.sum()).astype("int8")
    platform = rng.choice(len(PLATFORMS), n, p=[0.45, 0.2, 0.1, 0.1, 0.1, 0.05]).astype("int8")
    qty = (1 + (rng.random(n) < 0.2) + (rng.random(n) < 0.05)).astype("int16")
    paid_fen = (qty * (1990 + (sku * 7919) % 30_000)).astype("int64")
    category_rate = 0.03 + 0.22 * ((category * 37) % N_CATEGORIES) / N_CATEGORIES
    returned = np.where(rng.random(n) < category_rate * (1 + 0.5 * (channel == 0)), qty, 0).astype("int16")
    case_day = np.where(returned > 0, day + rng.integers(1, 16, n), -1).astype("int32")
    reason = rng.integers(0, len(REASONS), n).astype("int8")
    return {
        "day": day,
        "order_id": order_id,
        "sku": sku,
        "product": product,
        "category": category,
        "province": province,
        "platform": platform,
        "channel": channel,
        "content": content,
        "qty": qty,
        "paid_fen": paid_fen,
        "returned": returned,
        "case_day": case_day,
        "reason": reason,
        "first_day": first_day,
    }


# -- the rollup rows, as aftersales keeps them --------------------------------------------------------


def rollup_rows(cols: dict[str, np.ndarray]):
    """Every cube's day, week and month rows (a DataFrame per cube), vectorised."""
    import pandas as pd

    first = pd.Timestamp(cols["first_day"])
    lines = pd.DataFrame({k: v for k, v in cols.items() if k != "first_day"})
    lines["province"] = pd.Categorical.from_codes(lines["province"], PROVINCES)
    lines["platform"] = pd.Categorical.from_codes(lines["platform"], PLATFORMS)
    lines["channel"] = pd.Categorical.from_codes(lines["channel"], CHANNELS)
    lines["reason"] = pd.Categorical.from_codes(lines["reason"], REASONS)
    lines["content"] = np.where(lines["content"] > 0, "C" + lines["content"].astype(str), "")
    cubes = {
        "sku": ["sku", "product", "category"],
        "product": ["product", "category"],
        "cat": ["category"],
        "prov": ["province"],
        "provcat": ["category", "province"],
        "chan": ["platform", "channel"],
        "content": ["content"],
        "contprod": ["content", "product", "category"],
        "reason": ["reason"],
        "rsku": ["sku", "product", "category", "reason"],
    }
    for cube, keys in cubes.items():
        src = lines[lines["content"] != ""] if cube in ("content", "contprod") else lines
        sales = None
        if cube not in ("reason", "rsku"):
            sales = (
                src.assign(n=1)
                .groupby([*keys, "day"], observed=True)
                .agg(
                    sold_qty=("qty", "sum"),
                    sold_fen=("paid_fen", "sum"),
                    orders=("n", "sum"),
                    returned_qty_o=("returned", "sum"),
                )
                .reset_index()
            )
            sales["return_cases_o"] = 0
        back = src[src["returned"] > 0]
        on_order_day = (
            back.assign(n=1)
            .groupby([*keys, "day"], observed=True)
            .agg(returned_qty_o=("returned", "sum"), return_cases_o=("n", "sum"))
            .reset_index()
        )
        on_case_day = (
            back.assign(n=1, day=back["case_day"])
            .groupby([*keys, "day"], observed=True)
            .agg(returned_qty_c=("returned", "sum"), return_cases_c=("n", "sum"))
            .reset_index()
        )
        if sales is not None:
            sales = sales.drop(columns=["returned_qty_o", "return_cases_o"]).merge(
                on_order_day, how="outer", on=[*keys, "day"]
            )
        else:
            sales = on_order_day
        day_rows = sales.merge(on_case_day, how="outer", on=[*keys, "day"]).fillna(0)
        day_rows["start"] = first + pd.to_timedelta(day_rows["day"], unit="D")
        out = []
        for grain in ("d", "w", "m"):
            if grain == "d":
                start = day_rows["start"]
            elif grain == "w":
                start = day_rows["start"] - pd.to_timedelta(day_rows["start"].dt.day_of_week, unit="D")
            else:
                start = day_rows["start"].dt.to_period("M").dt.start_time
            g = (
                day_rows.drop(columns=["day", "start"])
                .assign(start=start)
                .groupby([*keys, "start"], observed=True)
                .sum(numeric_only=True)
                .reset_index()
            )
            g["grain"] = grain
            out.append(g)
        frame = pd.concat(out, ignore_index=True)
        frame["cube"] = cube
        yield cube, keys, frame


def load_rollups(shop_id: int, cols: dict[str, np.ndarray]) -> int:
    import pandas as pd
    from django.db import connection, transaction

    from aftersales.analytics.domain.facts import MEASURES
    from aftersales.analytics.models import KEY_FIELDS, Rollup

    target = {
        "sku": "sku_id",
        "product": "product_id",
        "category": "category_id",
        "province": "dim",
        "platform": "dim",
        "content": "dim",
        "channel": "dim2",
        "reason": "reason",
    }
    names = ["shop_id", *KEY_FIELDS, *MEASURES]
    total = 0
    if connection.vendor == "sqlite":  # a scratch database: no journal while it is filled
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=OFF")
            cursor.execute("PRAGMA synchronous=OFF")
    with transaction.atomic():
        Rollup.objects.filter(shop_id=shop_id).delete()
        indexes = _drop_indexes(connection, Rollup._meta.db_table)
        for _cube, keys, frame in rollup_rows(cols):
            out = pd.DataFrame(
                {
                    "shop_id": shop_id,
                    "cube": frame["cube"],
                    "grain": frame["grain"],
                    "start": frame["start"].dt.date
                    if connection.vendor == "postgresql"
                    else frame["start"].dt.strftime("%Y-%m-%d"),
                    "sku_id": 0,
                    "product_id": 0,
                    "category_id": 0,
                    "dim": "",
                    "dim2": "",
                    "reason": "",
                }
            )
            for key in keys:
                out[target[key]] = frame[key].astype(
                    str if target[key] in ("dim", "dim2", "reason") else "int64"
                )
            for m in MEASURES:
                out[m] = frame[m].astype("int64") if m in frame else 0
            out = out.sort_values(list(KEY_FIELDS[1:]))
            rows = list(zip(*[out[k].tolist() for k in names], strict=True))
            _insert(connection, Rollup._meta.db_table, names, rows)
            total += len(rows)
        with connection.cursor() as cursor:
            for statement in indexes:
                cursor.execute(statement)
    return total


def _drop_indexes(connection, table: str) -> list[str]:
    """SQLite: drop the table's indexes for the bulk load and return the statements that recreate them
    (building an index once over sorted rows is much faster than keeping it up to date row by row)."""
    if connection.vendor != "sqlite":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
            [table],
        )
        found = cursor.fetchall()
        for name, _sql in found:
            cursor.execute(f'DROP INDEX "{name}"')
    return [sql for _name, sql in found]


def _insert(connection, table: str, names: list[str], rows: list[tuple]) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:  # the driver itself: Django's per-value adapters would triple the load time
            marks = ", ".join(["?"] * len(names))
            connection.connection.executemany(
                f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})", rows
            )


def setup_shop() -> tuple[int, dict[int, int]]:
    """The bench shop with its catalogue; returns the shop id and the catalogue's ids by synthetic id."""
    from aftersales.accounts.models import Shop
    from aftersales.analytics.models import Rollup
    from aftersales.catalog.models import Category, Product, Sku

    for old in Shop.objects.filter(slug="bench-analytics"):
        Rollup.objects.filter(shop=old).delete()
        Sku.objects.filter(shop=old).delete()
        Product.objects.filter(shop=old).delete()
        Category.objects.filter(shop=old).delete()
        old.delete()
    shop = Shop.objects.create(slug="bench-analytics", name="bench")
    cats = Category.objects.bulk_create(
        [Category(shop=shop, name=f"类目{i}", law_category="other") for i in range(1, N_CATEGORIES + 1)]
    )
    products = Product.objects.bulk_create(
        [
            Product(shop=shop, category=cats[(p - 1) % N_CATEGORIES], title=f"商品{p}")
            for p in range(1, N_PRODUCTS + 1)
        ]
    )
    Sku.objects.bulk_create(
        [
            Sku(shop=shop, product=products[(s - 1) // 5], code=f"SKU{s}", price_fen=1990)
            for s in range(1, N_SKUS + 1)
        ]
    )
    return shop.pk, {i + 1: c.pk for i, c in enumerate(cats)}


# -- the three engines --------------------------------------------------------------------------------


def questions():
    q1 = (END - timedelta(days=89), END)
    year = (END - timedelta(days=364), END)
    return {"sku_90_days": q1, "province_category_year": year, "category_weekly_trend": year}


def timed(fn, repeat: int):
    result = fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return result, round(statistics.median(times), 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--seed", type=int, default=20251120)
    parser.add_argument("--category", type=int, default=7, help="the category of the weekly trend (1-40)")
    parser.add_argument("--dir", default=str(ROOT / "var" / "bench-analytics"))
    parser.add_argument(
        "--reuse",
        "--keep",
        action="store_true",
        help="use the data of an earlier run of the same size and seed (generated and kept otherwise)",
    )
    args = parser.parse_args()
    workdir = Path(args.dir)
    workdir.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'rollups.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.settings")
    import django

    django.setup()
    import duckdb
    import pandas as pd
    from django.core.management import call_command
    from django.db import connection

    from aftersales.analytics import selectors
    from aftersales.catalog.models import Category

    call_command("migrate", verbosity=0)
    parquet, meta = workdir / "lines.parquet", workdir / "meta.json"
    wanted = {"lines": args.lines, "seed": args.seed, "database": connection.settings_dict["NAME"]}
    setup = json.loads(meta.read_text()) if meta.exists() else {}
    if not (args.reuse and setup.get("wanted") == wanted and parquet.exists() and _bench_shop() is not None):
        setup = build(args, parquet, connection)
        setup["wanted"] = wanted
        meta.write_text(json.dumps(setup))
    shop_id = _bench_shop()
    category_ids = {
        i + 1: pk
        for i, pk in enumerate(
            Category.objects.filter(shop_id=shop_id).order_by("pk").values_list("pk", flat=True)
        )
    }
    frame = pd.read_parquet(parquet)
    frame["day"] = pd.to_datetime(frame["day"])
    frame["province"] = frame["province"].astype("category")
    print(json.dumps({"setup": {k: v for k, v in setup.items() if k != "wanted"}}), flush=True)
    # What the setup left behind is not part of a serving process: keep the collector off it.
    gc.collect()
    gc.freeze()

    duck = duckdb.connect()
    duck.execute(f"CREATE VIEW lines AS SELECT * FROM read_parquet('{parquet}')")
    category = category_ids[args.category]
    q = questions()

    # Every engine answers with the same rows in the same order — (key, units sold, units returned),
    # by key — and is timed from the question to that list. aftersales also ranks its rows by the lower
    # bound of the rate and judges each (what the dashboard shows); the others compute the plain rate.

    def ours_sku():
        rows = selectors.return_rates(shop_id, "sku", *q["sku_90_days"])
        # r.values: the key columns in r.group's order (sku_id, product_id, category_id)
        return sorted((r.values[0], r.sold_qty, r.returned_qty) for r in rows)

    def pandas_sku():
        lo, hi = (np.datetime64(d) for d in q["sku_90_days"])
        part = frame[(frame["day"] >= lo) & (frame["day"] <= hi)]
        g = part.groupby("sku", sort=True)[["qty", "returned"]].sum()
        g["rate"] = g["returned"] / g["qty"]
        return list(zip(g.index.tolist(), g["qty"].tolist(), g["returned"].tolist(), strict=True))

    def duck_sku():
        rows = duck.execute(
            "SELECT sku, sum(qty), sum(returned), sum(returned) / sum(qty) FROM lines "
            "WHERE day BETWEEN ? AND ? GROUP BY sku ORDER BY sku",
            list(q["sku_90_days"]),
        ).fetchall()
        return [(int(k), int(a), int(b)) for k, a, b, _ in rows]

    def ours_heat():
        rows = selectors.heatmap(shop_id, *q["province_category_year"])  # r.values: (province, category)
        return sorted((*r.values, r.sold_qty, r.returned_qty) for r in rows)

    def pandas_heat():
        lo, hi = (np.datetime64(d) for d in q["province_category_year"])
        part = frame[(frame["day"] >= lo) & (frame["day"] <= hi)]
        g = part.groupby(["province", "category"], observed=True)[["qty", "returned"]].sum()
        g["rate"] = g["returned"] / g["qty"]
        # a categorical sorts by its categories' order: sorted by name here, like the others
        return sorted(
            (p, int(c), int(a), int(b)) for (p, c), a, b in zip(g.index, g["qty"], g["returned"], strict=True)
        )

    def duck_heat():
        rows = duck.execute(
            "SELECT province, category, sum(qty), sum(returned), sum(returned) / sum(qty) "
            "FROM lines WHERE day BETWEEN ? AND ? GROUP BY ALL ORDER BY province, category",
            list(q["province_category_year"]),
        ).fetchall()
        return [(p, int(c), int(a), int(b)) for p, c, a, b, _ in rows]

    def ours_trend():
        rows = selectors.trend(shop_id, "week", *q["category_weekly_trend"], filters={"category": category})
        return [
            (r["bucket"], r["sold_qty"], r["returned_qty"])
            for r in rows
            if r["sold_qty"] or r["returned_qty"]
        ]

    def pandas_trend():
        lo, hi = (np.datetime64(d) for d in q["category_weekly_trend"])
        part = frame[(frame["category"] == category) & (frame["day"] >= lo) & (frame["day"] <= hi)]
        week = part["day"] - pd.to_timedelta(part["day"].dt.day_of_week, unit="D")
        g = part.groupby(week, sort=True)[["qty", "returned"]].sum()
        g["rate"] = g["returned"] / g["qty"]
        return [(k.date(), int(a), int(b)) for k, a, b in zip(g.index, g["qty"], g["returned"], strict=True)]

    def duck_trend():
        rows = duck.execute(
            "SELECT date_trunc('week', day)::DATE AS w, sum(qty), sum(returned), "
            "sum(returned) / sum(qty) FROM lines WHERE category = ? AND day BETWEEN ? AND ? "
            "GROUP BY w ORDER BY w",
            [category, *q["category_weekly_trend"]],
        ).fetchall()
        return [(w, int(a), int(b)) for w, a, b, _ in rows]

    for name, engines in (
        ("return rate by SKU, 90 days", (ours_sku, pandas_sku, duck_sku)),
        ("return rate by province x category, one year", (ours_heat, pandas_heat, duck_heat)),
        ("weekly return-rate trend of one category, one year", (ours_trend, pandas_trend, duck_trend)),
    ):
        answers, times = [], []
        for engine in engines:
            answer, ms = timed(engine, args.repeat)
            answers.append(answer)
            times.append(ms)
        same = answers[0] == answers[1] == answers[2]
        print(
            json.dumps(
                {
                    "question": name,
                    "lines": args.lines,
                    "aftersales_ms": times[0],
                    "pandas_ms": times[1],
                    "duckdb_ms": times[2],
                    "rows": len(answers[0]),
                    "same_answer": same,
                },
                ensure_ascii=False,
            ),
            flush=True,
        )
        if not same:
            raise SystemExit(f"answers differ for {name!r}")
    duck.close()
    gc.unfreeze()


def _bench_shop() -> int | None:
    from aftersales.accounts.models import Shop

    return Shop.objects.filter(slug="bench-analytics").values_list("pk", flat=True).first()


def build(args, parquet: Path, connection) -> dict:
    """Generate the lines, load them as rollups, write them as Parquet. Returns the timings."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    t0 = time.perf_counter()
    cols = generate(args.lines, args.seed)
    generated = time.perf_counter() - t0
    shop_id, category_ids = setup_shop()
    t0 = time.perf_counter()
    cols_db = dict(cols)
    cols_db["sku"] = cols["sku"] + _sku_offset(shop_id)
    cols_db["product"] = cols["product"] + _product_offset(shop_id)
    cols_db["category"] = np.vectorize(category_ids.get)(cols["category"]).astype("int64")
    rows = load_rollups(shop_id, cols_db)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE analytics_rollup" if connection.vendor == "postgresql" else "ANALYZE")
    loaded = time.perf_counter() - t0
    t0 = time.perf_counter()
    first = np.datetime64(cols["first_day"])
    raw = pa.table(
        {
            "day": (first + cols["day"].astype("timedelta64[D]")).astype("datetime64[D]"),
            "sku": cols_db["sku"],
            "category": cols_db["category"],
            "province": pa.DictionaryArray.from_arrays(cols["province"].astype("int32"), list(PROVINCES)),
            "qty": cols["qty"],
            "returned": cols["returned"],
        }
    )
    pq.write_table(raw, parquet, row_group_size=500_000)
    return {
        "lines": args.lines,
        "generate_s": round(generated, 1),
        "rollup_rows": rows,
        "rollups_load_s": round(loaded, 1),
        "parquet_s": round(time.perf_counter() - t0, 1),
        "database": connection.vendor,
    }


def _sku_offset(shop_id: int) -> int:
    from aftersales.catalog.models import Sku

    return Sku.objects.filter(shop_id=shop_id).order_by("pk").values_list("pk", flat=True).first() - 1


def _product_offset(shop_id: int) -> int:
    from aftersales.catalog.models import Product

    return Product.objects.filter(shop_id=shop_id).order_by("pk").values_list("pk", flat=True).first() - 1


if __name__ == "__main__":
    main()
