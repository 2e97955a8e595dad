"""A management effectiveness report dict written by hand, in the shape of docs/reports.md, for the renderers'
tests (and any other test that needs one without building it from the database).

``sample_report()`` is small and realistic: four sections, every unit, nulls, a merged "其他（合并）" row, a figure
without direction and two improvement checks. ``sample_report(big=True)`` adds sections up to twelve, about thirty
tables, the department tables at sixty rows: the size a large union's yearly report reaches.
"""
from __future__ import annotations

import copy
import random

DEPARTMENTS = ["生产部", "技术研发中心", "后勤保障部", "财务部", "人力资源部", "市场营销部", "安全环保部", "质量管理部"]
MONTHS = ["10月", "11月", "12月"]


def _figure(key, label, unit, better, value, previous, *, headline=False, definition=None):
    change = None
    if value is not None and previous is not None:
        change = round(value - previous, 4 if unit == "percent" else 2)
    return {"key": key, "section": key.split(".")[0], "label": label, "unit": unit, "better": better,
            "headline": headline, "value": value, "previous": previous, "change": change,
            "definition": definition or f"{label}的计算口径：按期内数据统计。"}


def _col(key, label, unit):
    return {"key": key, "label": label, "unit": unit}


def _department_table(section, rate_label, rng, count, *, merged=True):
    rows = []
    names = DEPARTMENTS + [f"第{n}车间" for n in range(1, 200)]
    for i in range(count):
        eligible = rng.randint(8, 160)
        part = rng.randint(0, eligible)
        rows.append({"key": str(100 + i), "label": names[i], "merged": False, "eligible": eligible,
                     "participants": part, "rate": round(part / eligible, 4)})
    if merged:
        # Two departments of under five, merged into one group that is still under five: no rate shown.
        rows.append({"key": "other", "label": "其他（合并）", "merged": True, "eligible": 4, "participants": None,
                     "rate": None})
    return {"key": f"{section}.by_department", "title": "按部门",
            "columns": [_col("label", "部门", None), _col("eligible", "会员数", "count"),
                        _col("participants", "参与人数", "count"), _col("rate", rate_label, "percent")],
            "rows": rows, "chart": {"kind": "bar", "series": ["rate"]},
            "note": "不足 5 人的部门合并为「其他（合并）」" if merged else None}


def _month_table(section, label, unit, values, months=MONTHS):
    return {"key": f"{section}.by_month", "title": "按月",
            "columns": [_col("label", "月份", None), _col("value", label, unit)],
            "rows": [{"key": m, "label": m, "merged": False, "value": v} for m, v in zip(months, values, strict=True)],
            "chart": {"kind": "line", "series": ["value"]}, "note": None}


def _small() -> dict:
    rng = random.Random(7)
    figures = [
        _figure("participation.rate", "活动参与率", "percent", "higher", 0.4231, 0.3811, headline=True,
                definition="参与人数 ÷ 应参与会员数。参与人数：期内至少签到一次的会员。"),
        _figure("participation.events", "举办活动场次", "count", None, 1234, 1180, headline=True,
                definition="期内结束的活动场次（已取消的不计）。"),
        _figure("participation.checkins_per_member", "人均参与次数", "times", "higher", 1.8, 1.9,
                definition="签到总次数 ÷ 参与人数。"),
        _figure("requests.resolution_hours", "诉求平均办结时长", "hours", "lower", 12.5, 15.0, headline=True,
                definition="从提交到办结的自然小时数的平均值。"),
        _figure("requests.overdue_rate", "诉求超期率", "percent", "lower", 0.081, 0.052, headline=True,
                definition="超过办理时限办结或仍未办结的诉求 ÷ 期内到期的诉求。"),
        _figure("requests.count", "受理诉求件数", "count", None, 86, None,
                definition="期内提交并受理的诉求件数。"),
        _figure("care.visit_days", "困难帮扶平均响应天数", "days", "lower", None, 3.0, headline=True,
                definition="从登记困难情况到首次走访的工作日数。期内无新登记时不计算。"),
        _figure("care.families", "帮扶困难职工户数", "count", None, 17, 15,
                definition="期内至少获得一次帮扶的困难职工家庭数。"),
        _figure("surveys.score", "会员满意度", "score", "higher", 4.21, 4.35, headline=True,
                definition="满意度调查中“总体满意度”题的平均分（1–5 分）。"),
        _figure("surveys.response_rate", "问卷回收率", "percent", "higher", 0.6, 0.6,
                definition="回收问卷数 ÷ 发放问卷数。"),
    ]
    requests_by_category = {
        "key": "requests.by_category", "title": "按诉求类别",
        "columns": [_col("label", "类别", None), _col("count", "件数", "count"),
                    _col("hours", "平均办结时长", "hours"), _col("overdue", "超期率", "percent")],
        "rows": [{"key": "wages", "label": "工资待遇", "merged": False, "count": 31, "hours": 18.2, "overdue": 0.129},
                 {"key": "safety", "label": "劳动安全与职业健康（含高温、噪声、粉尘防护）", "merged": False,
                  "count": 22, "hours": 9.4, "overdue": 0.045},
                 {"key": "canteen", "label": "食堂与通勤", "merged": False, "count": 33, "hours": 10.1,
                  "overdue": 0.061},
                 {"key": "other", "label": "其他", "merged": False, "count": 0, "hours": None, "overdue": None}],
        "chart": {"kind": "bar", "series": ["count"]}, "note": None,
    }
    care_by_kind = {
        "key": "care.by_kind", "title": "按帮扶类型",
        "columns": [_col("label", "类型", None), _col("families", "户数", "count"), _col("days", "响应天数", "days")],
        "rows": [{"key": "illness", "label": "大病救助", "merged": False, "families": 9, "days": None},
                 {"key": "education", "label": "助学", "merged": False, "families": 8, "days": None}],
        "chart": None, "note": "期内无新登记，响应天数不计算。",
    }
    surveys_by_question = {
        "key": "surveys.by_question", "title": "分项得分",
        "columns": [_col("label", "题目", None), _col("score", "平均分", "score"),
                    _col("previous", "上期平均分", "score")],
        "rows": [{"key": "q1", "label": "总体满意度", "merged": False, "score": 4.21, "previous": 4.35},
                 {"key": "q2", "label": "活动安排", "merged": False, "score": 4.02, "previous": 3.98},
                 {"key": "q3", "label": "诉求回应", "merged": False, "score": 3.87, "previous": 4.1}],
        "chart": {"kind": "bar", "series": ["score", "previous"]}, "note": None,
    }
    sections = [
        {"key": "participation", "title": "活动参与",
         "figures": ["participation.rate", "participation.events", "participation.checkins_per_member"],
         "tables": [_department_table("participation", "参与率", rng, 6),
                    _month_table("participation", "参与率", "percent", [0.31, 0.38, 0.4231])],
         "note": None},
        {"key": "requests", "title": "诉求办理",
         "figures": ["requests.resolution_hours", "requests.overdue_rate", "requests.count"],
         "tables": [requests_by_category], "note": "诉求按提交时间归入期间。"},
        {"key": "care", "title": "困难帮扶", "figures": ["care.visit_days", "care.families"],
         "tables": [care_by_kind], "note": None},
        {"key": "surveys", "title": "会员满意度", "figures": ["surveys.score", "surveys.response_rate"],
         "tables": [surveys_by_question], "note": None},
    ]
    improvements = [
        {"id": 7, "title": "提高生产部活动参与率", "figure": "participation.by_department:100:rate",
         "figure_label": "活动参与率", "group": "生产部", "unit": "percent", "better": "higher",
         "target": 0.5, "value": 0.46, "met": False, "verdict": "未达标", "due_date": "2026-12-31",
         "status": "open", "owner": {"id": 3, "name": "张三"}},
        {"id": 9, "title": "缩短诉求办结时长", "figure": "requests.resolution_hours",
         "figure_label": "诉求平均办结时长", "group": None, "unit": "hours", "better": "lower", "target": 14.0,
         "value": 12.5, "met": True,
         "verdict": "已达标", "due_date": "2026-12-31", "status": "open", "owner": {"id": 4, "name": "李四"}},
        {"id": 11, "title": "小部门参与情况跟踪", "figure": "participation.by_department:other:rate",
         "figure_label": "活动参与率", "group": "其他（合并）", "unit": "percent", "better": "higher",
         "target": 0.5, "value": None, "met": None, "verdict": "无法判断", "due_date": "2027-03-31",
         "status": "open", "owner": {"id": 5, "name": "王五"}},
    ]
    return {
        "period": {"key": "2026Q4", "kind": "quarter", "label": "2026年第四季度", "start": "2026-10-01",
                   "end": "2026-12-31", "complete": True},
        "previous": {"key": "2026Q3", "kind": "quarter", "label": "2026年第三季度", "start": "2026-07-01",
                     "end": "2026-09-30", "complete": True},
        "generated_at": "2027-01-01T08:00:00+08:00",
        "min_group": 5,
        "figures": figures,
        "sections": sections,
        "improvements": improvements,
    }


EXTRA_SECTIONS = [("volunteers", "志愿服务"), ("benefits", "会员福利"), ("proposals", "提案办理"),
                  ("fund", "互助基金"), ("awards", "评优评先"), ("council", "职代会"), ("procurements", "采购管理"),
                  ("audits", "自查审计")]


def _grow(report: dict, departments: int) -> None:
    """Up to twelve sections and about thirty tables, department tables at `departments` rows."""
    rng = random.Random(11)
    report["period"].update(key="2026", kind="year", label="2026年度", start="2026-01-01", end="2026-12-31")
    report["previous"].update(key="2025", kind="year", label="2025年度", start="2025-01-01", end="2025-12-31")
    months = [f"{m}月" for m in range(1, 13)]
    report["sections"][0]["tables"][0] = _department_table("participation", "参与率", rng, departments)
    report["sections"][0]["tables"][1] = _month_table("participation", "参与率", "percent",
                                                      [round(rng.uniform(0.2, 0.6), 4) for _ in months], months)
    report["sections"][0]["tables"].append(_department_table("participation.checkins", "签到率", rng, departments))
    for i, (key, title) in enumerate(EXTRA_SECTIONS):
        rate, hours = f"{key}.rate", f"{key}.hours"
        report["figures"] += [
            _figure(rate, f"{title}覆盖率", "percent", "higher", round(rng.uniform(0.3, 0.9), 4),
                    round(rng.uniform(0.3, 0.9), 4), headline=i < 4),
            _figure(hours, f"{title}平均用时", "hours", "lower", round(rng.uniform(2, 40), 1),
                    round(rng.uniform(2, 40), 1)),
            _figure(f"{key}.count", f"{title}件数", "count", None, rng.randint(10, 5000), rng.randint(10, 5000)),
        ]
        tables = [_department_table(key, f"{title}覆盖率", rng, departments),
                  _month_table(key, f"{title}平均用时", "hours", [round(rng.uniform(2, 40), 1) for _ in months],
                               months)]
        if i % 2 == 0:
            tables.append(_department_table(f"{key}.second", "达标率", rng, departments // 2, merged=False))
        report["sections"].append({"key": key, "title": title, "figures": [rate, hours, f"{key}.count"],
                                   "tables": tables, "note": None})


def sample_report(big: bool = False, departments: int = 60, **overrides) -> dict:
    """A fresh report dict; `overrides` replace top-level keys (period=..., improvements=[], ...)."""
    report = _small()
    if big:
        _grow(report, departments)
    report.update(copy.deepcopy(overrides))
    return report
