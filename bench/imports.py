"""Import throughput: a Douyin-style order export (CSV, 74 columns) imported into a fresh SQLite
database through `platforms.services.import_file`, in rows per second and as a ratio to a plain
`executemany` of the same rows into a raw table of the same columns, in the same database and run.

    .venv/bin/python bench/imports.py [--rows 1000000] [--reimport] [--keep DIR] [--database URL]

The file is generated row by row straight to a temporary file (never held in memory). The import
is timed apart from the analytics rollups it brings up to date afterwards (timed on their own). With
--reimport the same file is imported a second time (every row unchanged) and timed too.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.unit.platform_fixtures import DOUYIN_ORDER_A  # noqa: E402  (the verified 74 headings)

TITLES = [
    "纯棉短袖T恤男夏季宽松圆领", "冰丝防晒袖套", "儿童保温杯316不锈钢", "法式碎花连衣裙", "高腰阔腿牛仔裤女",
    "无线蓝牙耳机降噪", "养生壶家用多功能", "真丝枕套一对装", "运动速干短裤", "加厚珊瑚绒四件套",
    "厨房硅胶锅铲套装", "宠物猫砂豆腐砂", "手机壳磨砂防摔", "保湿补水面膜10片", "男士休闲运动鞋",
]
SPECS = ["白色;M", "白色;L", "黑色;XL", "浅灰", "粉色 500ml", "蓝色;S", "均码", "2斤装"]
PLACES = [("广东省", "深圳市", "南山区"), ("浙江省", "杭州市", "西湖区"), ("江苏省", "南京市", "鼓楼区"),
          ("北京市", "北京市", "朝阳区"), ("四川省", "成都市", "武侯区"), ("湖北省", "武汉市", "洪山区")]
GENRES = ["直播", "短视频", "商品卡", "直播", "直播"]
SURNAMES = "王李张刘陈杨黄赵吴周"


def generate(path: Path, rows: int, seed: int = 20261122) -> int:
    """Write `rows` order lines (1–3 lines per order) as 抖店 exports them: UTF-8 with a BOM."""
    rnd = random.Random(seed)
    skus = [(f"SKU-{n:05d}", TITLES[n % len(TITLES)], SPECS[n % len(SPECS)], 1990 + (n * 37) % 30000)
            for n in range(2000)]
    index = {h: i for i, h in enumerate(DOUYIN_ORDER_A)}
    blank = [""] * len(DOUYIN_ORDER_A)
    written = orders = 0
    base = 1_747_000_000  # 2025-05 in seconds
    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(DOUYIN_ORDER_A)
        while written < rows:
            orders += 1
            order_id = 6921325487901234567 + orders * 10
            paid = base + orders * 17
            place = PLACES[orders % len(PLACES)]
            phone = f"1{rnd.randint(30, 99)}****{rnd.randint(0, 9999):04d}"
            name = f"{SURNAMES[orders % 10]}**"
            genre = GENRES[orders % len(GENRES)]
            for line in range(min(rnd.choice((1, 1, 1, 2, 2, 3)), rows - written)):
                code, title, spec, price = skus[rnd.randrange(len(skus))]
                qty = rnd.choice((1, 1, 1, 2, 3))
                discount = rnd.choice((0, 0, 500, 1000))
                row = list(blank)
                for heading, value in (
                    ("主订单编号", f"\t{order_id}"), ("子订单编号", f"\t{order_id + line + 1}"),
                    ("选购商品", title), ("商品规格", spec), ("商品数量", str(qty)), ("商品ID", f"\t36{code[4:]}"),
                    ("商家编码", code), ("商品单价", _yuan(price)), ("订单应付金额", _yuan(price * qty - discount)),
                    ("运费", "0.00"), ("优惠总金额", _yuan(discount)), ("收件人", name), ("收件人手机号", phone),
                    ("省", place[0]), ("市", place[1]), ("区", place[2]), ("街道", "某某街道"),
                    ("详细地址", "****"), ("订单提交时间", _time(paid - 8)), ("支付完成时间", _time(paid)),
                    ("发货时间", _time(paid + 86400)), ("订单完成时间", _time(paid + 6 * 86400)),
                    ("APP渠道", "抖音"), ("流量来源", "精选联盟"), ("流量体裁", genre), ("订单状态", "已完成"),
                    ("售后状态", "-"), ("支付方式", "微信"), ("订单类型", "普通订单"),
                    ("达人ID", f"\t{1234567890 + orders % 50}"), ("达人昵称", f"达人{orders % 50}"),
                ):
                    row[index[heading]] = value
                writer.writerow(row)
                written += 1
    return orders


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def _time(seconds: int) -> str:
    return "\t" + time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(seconds + 8 * 3600))


def baseline(db_path: Path, csv_path: Path) -> float:
    """Seconds to insert the file's rows as they are into a raw table of the same 74 columns."""
    con = sqlite3.connect(db_path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    columns = ", ".join(f'c{i} TEXT' for i in range(len(DOUYIN_ORDER_A)))
    con.execute(f"CREATE TABLE raw_order_lines (id INTEGER PRIMARY KEY, {columns})")
    marks = ", ".join("?" * len(DOUYIN_ORDER_A))
    sql = f"INSERT INTO raw_order_lines ({', '.join(f'c{i}' for i in range(len(DOUYIN_ORDER_A)))}) VALUES ({marks})"
    started, cpu = time.perf_counter(), time.process_time()
    with open(csv_path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        batch = []
        for row in reader:
            batch.append(row)
            if len(batch) == 10_000:
                con.executemany(sql, batch)
                batch.clear()
        con.executemany(sql, batch)
    con.commit()
    seconds = time.perf_counter() - started
    print(f"  (executemany: {time.process_time() - cpu:.1f} s of CPU)")
    con.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--reimport", action="store_true", help="import the same file again and time that too")
    parser.add_argument("--keep", help="directory for the file and the database (default: a temporary one)")
    args = parser.parse_args()

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="aftersales-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    csv_path, db_path = work / "douyin-orders.csv", work / "bench.sqlite3"
    for stale in (db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")):
        stale.unlink(missing_ok=True)
    started = time.perf_counter()
    orders = generate(csv_path, args.rows)
    size_mb = csv_path.stat().st_size / 1e6
    print(f"file: {args.rows:,} lines, {orders:,} orders, {size_mb:.0f} MB, "
          f"generated in {time.perf_counter() - started:.1f} s")

    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from aftersales.accounts.models import Shop
    from aftersales.analytics import rollups
    from aftersales.platforms.services import import_file

    call_command("migrate", verbosity=0)
    shop = Shop.objects.create(slug="bench", name="bench")
    timings = []
    for attempt in ("import", "re-import")[: 2 if args.reimport else 1]:
        started, cpu = time.perf_counter(), time.process_time()
        with open(csv_path, "rb") as data:
            run = import_file(shop, "douyin", "orders", csv_path.name, data, rollups_mode="defer")
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        timings.append(seconds)
        print(f"{attempt}: {run.status} in {seconds:.1f} s ({cpu:.1f} s of CPU) = {args.rows / seconds:,.0f} rows/s "
              f"(created {run.created:,}, updated {run.updated:,}, unchanged {run.unchanged:,}, "
              f"skipped {run.skipped:,}; {run.details})")
        if attempt == "import":
            started = time.perf_counter()
            result = rollups.rebuild(shop.pk)
            print(f"  + analytics rollups rebuilt for {result['orders']:,} orders in "
                  f"{time.perf_counter() - started:.1f} s (what rollups_mode='auto' does after a big file)")
    raw = baseline(db_path, csv_path)
    print(f"executemany into a raw 74-column table: {raw:.1f} s = {args.rows / raw:,.0f} rows/s")
    for attempt, seconds in zip(("import", "re-import"), timings, strict=False):
        print(f"{attempt} / executemany: {seconds / raw:.1f}x the time ({raw / seconds:.3f} of its speed)")
    if not args.keep:
        for leftover in work.iterdir():
            leftover.unlink()
        work.rmdir()


if __name__ == "__main__":
    main()
