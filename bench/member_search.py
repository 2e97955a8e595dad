"""Member search: 20,000 members, the searches staff type in the console, timed on PostgreSQL.

    .venv/bin/python bench/member_search.py [--database-url URL] [--members 20000] [--repeat 30]

Seeds members with Chinese names, phones, departments, grids and tags, then calls GET /api/v1/members as
staff through the app (parsing, both statements, presenting, and the phone access log written and
committed) and prints the median and 95th percentile per kind of search, with the plan PostgreSQL chose
for a digits search. Exits 1 if any median is 100 ms or more.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time

from common import ADMIN_URL, database, make_app

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉兰德才晓东海燕"
DEPARTMENTS = [f"{n}车间" for n in "一二三四五六七八九十"] + ["质检部", "财务部", "工会办", "后勤处", "技术中心"]
GRIDS = [f"第{n}网格" for n in range(1, 41)]
TAGS = ["青年", "党员", "女职工", "困难职工", "劳模", "退伍军人", "新员工"]


def seed(count: int) -> None:
    from sqlalchemy import insert, select

    from server.core.extensions import db
    from server.members.models import Department, Grid, Member, MemberTag, Tag

    rnd = random.Random(7)
    dept = {n: i for n, i in db.session.execute(insert(Department).returning(Department.name, Department.id),
                                                 [{"name": n} for n in DEPARTMENTS])}
    grid = {n: i for n, i in db.session.execute(insert(Grid).returning(Grid.name, Grid.id),
                                                 [{"name": n} for n in GRIDS])}
    tag = {n: i for n, i in db.session.execute(insert(Tag).returning(Tag.name, Tag.id), [{"name": n} for n in TAGS])}
    rows = [{"employee_no": f"E{i:06d}", "name": rnd.choice(SURNAMES) + "".join(rnd.sample(GIVEN, rnd.choice((1, 2)))),
             "phone": f"1{rnd.choice('3578')}{i:09d}", "department_id": dept[rnd.choice(DEPARTMENTS)],
             "grid_id": grid[rnd.choice(GRIDS)], "roles": ["member"]} for i in range(count)]
    db.session.execute(insert(Member.__table__), rows)
    ids = db.session.scalars(select(Member.id)).all()
    pairs = [{"member_id": m, "tag_id": tag[t]} for m in ids for t in rnd.sample(TAGS, rnd.choice((0, 1, 2)))]
    db.session.execute(insert(MemberTag.__table__), pairs)
    staff = {"employee_no": "S000001", "name": "压测干事", "roles": ["member", "staff"]}
    db.session.execute(insert(Member.__table__), [staff])
    db.session.commit()
    db.session.execute(db.text("ANALYZE"))
    db.session.commit()


SEARCHES = {
    "first page, no filter": {},
    "name, one character": {"q": "王"},
    "name, two characters": {"q": "王伟"},
    "employee number, part": {"q": "01234"},
    "phone, last four digits": {"q": "5678"},
    "phone, full": {"q": "PHONE"},  # E012345's, looked up after seeding
    "phone, typed with spaces": {"q": "PHONE SPACED"},
    "department": {"department": "质检部"},
    "grid and tag": {"grid": "第7网格", "tag": "党员"},
    "name within department": {"q": "李", "department": "三车间"},
    "no match": {"q": "不存在的人"},
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url")
    parser.add_argument("--admin-url", default=ADMIN_URL)
    parser.add_argument("--members", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    with database(args.database_url, args.admin_url) as url:
        app = make_app(url, "bench-" + "k" * 40)
        from sqlalchemy import select

        from server.core.extensions import db
        from server.members.auth import issue_token
        from server.members.models import Member

        with app.app_context():
            t0 = time.perf_counter()
            seed(args.members)
            print(f"seeded {args.members} members in {time.perf_counter() - t0:.1f} s")
            phone = db.session.scalar(select(Member.phone).where(Member.employee_no == "E012345"))
            SEARCHES["phone, full"]["q"] = phone
            SEARCHES["phone, typed with spaces"]["q"] = f"{phone[:3]} {phone[3:7]} {phone[7:]}"
            staff_id = db.session.scalar(select(Member.id).where(Member.employee_no == "S000001"))
            plan = db.session.execute(db.text(
                "EXPLAIN ANALYZE SELECT count(*) FROM members WHERE is_active AND (employee_no LIKE '%15678%' "
                "OR phone LIKE '%15678%')")).scalars().all()
            db.session.commit()
        with app.test_request_context():
            headers = {"Authorization": "Bearer " + issue_token(staff_id)[0]}
        client = app.test_client()
        worst = 0.0
        print(f"{'search':32} {'total':>7} {'median ms':>10} {'p95 ms':>8}")
        for label, params in SEARCHES.items():
            times = []
            for _ in range(args.repeat + 2):
                t = time.perf_counter()
                r = client.get("/api/v1/members", query_string=params, headers=headers)
                times.append((time.perf_counter() - t) * 1000)
                assert r.status_code == 200, r.json
            times = sorted(times[2:])  # the first two warm caches
            median, p95 = statistics.median(times), times[int(len(times) * 0.95) - 1]
            worst = max(worst, median)
            print(f"{label:32} {r.json['total']:>7} {median:>10.1f} {p95:>8.1f}")
        print("plan of a digits search (count):")
        print("\n".join("  " + line for line in plan))
        with app.app_context():
            db.engine.dispose()
    print(f"slowest median: {worst:.1f} ms ({'under' if worst < 100 else 'OVER'} the 100 ms target)")
    return 0 if worst < 100 else 1


if __name__ == "__main__":
    sys.exit(main())
