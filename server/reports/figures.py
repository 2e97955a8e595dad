"""The report's figures: each named once, with its label, unit, direction and the definition printed in the
report's appendix. The SQL that computes a figure lives in areas.py (one function per area) and nowhere else;
a figure's definition here says in words what that SQL counts."""
from __future__ import annotations

from dataclasses import dataclass

MIN_GROUP = 5
OTHER = "other"
OTHER_LABEL = "其他（合并）"


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    unit: str               # percent | count | hours | days | score | times
    better: str | None      # higher | lower | None (a volume)
    headline: bool
    definition: str

    @property
    def section(self) -> str:
        return self.key.split(".", 1)[0]


SECTIONS: list[tuple[str, str]] = [
    ("participation", "活动参与"),
    ("requests", "诉求办理"),
    ("benefits", "福利发放"),
    ("notices", "通知触达"),
    ("suggestions", "意见建议"),
    ("volunteers", "志愿服务"),
    ("surveys", "问卷满意度"),
    ("proposals", "职代会提案"),
    ("improvements", "整改落实"),
]

ELIGIBLE = ("应参与会员：期末前已登记、目前在册的会员，加上期内签到过但此后停用的会员（停用前的参与不丢失）。")

FIGURES: list[Figure] = [
    Figure("participation.rate", "活动参与率", "percent", "higher", True,
           "期内至少签到一次的会员数 ÷ 应参与会员数。" + ELIGIBLE + "签到以签到时间计，含现场补签与无报名到场。"),
    Figure("participation.checkins_per_member", "人均签到次数", "times", "higher", False,
           "期内签到人次 ÷ 应参与会员数。"),
    Figure("participation.eligible", "应参与会员数", "count", None, False, ELIGIBLE),
    Figure("participation.participants", "参与会员数", "count", "higher", False, "期内至少签到一次的会员数。"),
    Figure("participation.checkins", "签到人次", "count", "higher", False, "期内签到记录数（一人一场一次）。"),
    Figure("participation.events", "举办活动数", "count", None, False, "开始时间在期内、未取消的活动数。"),
    Figure("requests.count", "诉求数", "count", None, True, "期内提交的诉求数（含联络员代提）。"),
    Figure("requests.on_time_rate", "诉求按时办结率", "percent", "higher", True,
           "按时办结的诉求 ÷ 已有结论的诉求。按时：首次响应与办结均在各自的工作日时限内。已有结论：按时办结，"
           "或已知超时（响应或办结晚于时限，或时限已过仍未完成）；仍在时限内的诉求不计入分母。"),
    Figure("requests.first_response_on_time_rate", "诉求首次响应及时率", "percent", "higher", True,
           "首次响应在工作日时限内的诉求 ÷ 已有结论的诉求（已响应，或时限已过）；期内不足 5 件不计。"),
    Figure("requests.resolved_rate", "诉求解决率", "percent", "higher", True, "期内提交的诉求中已解决（办结）的比例。"),
    Figure("requests.first_response_hours_median", "首次响应时长（中位数）", "hours", "lower", False,
           "提交到首次响应的小时数的中位数（日历小时，含非工作时间）。"),
    Figure("requests.resolution_hours_median", "办结时长（中位数）", "hours", "lower", False,
           "提交到办结的小时数的中位数（日历小时）。"),
    Figure("requests.satisfaction", "诉求满意度", "score", "higher", True,
           "期内提交且会员已评价的诉求的满意度平均分（1–5 分）；评价不足 5 条不计。"),
    Figure("benefits.campaigns", "福利发放批次", "count", None, False, "领取期开始于期内、已发布的福利活动数。"),
    Figure("benefits.claim_rate", "福利领取率", "percent", "higher", True,
           "已领取人数 ÷ 可领取人数，合计期内开始领取的各批福利。可领取人数：该批福利面向范围内的在册会员。"),
    Figure("benefits.redeem_rate", "福利核销率", "percent", "higher", False, "已核销（实物已交付）÷ 已领取。"),
    Figure("notices.count", "工会发布通知数", "count", None, False, "期内发出的工作人员发布的通知数（不含自动提醒）。"),
    Figure("notices.sent_rate", "通知送达率", "percent", "higher", True,
           "期内发出的全部通知（含自动提醒）的推送与短信中，服务商已接收的比例：已发送 ÷ 应发送。"
           "未发送（会员未订阅、无手机号）与失败、状态未知均计为未送达。"),
    Figure("notices.read_rate", "通知阅读率", "percent", "higher", True,
           "工作人员发布的通知中，在小程序里打开阅读过的收件人 ÷ 收件人。"),
    Figure("suggestions.count", "意见建议数", "count", None, False, "期内提交的匿名意见建议数。"),
    Figure("suggestions.reply_days_median", "意见首次答复时长（中位数）", "days", "lower", True,
           "提交日 0 点到工会首次答复的天数的中位数（提交只记日期，不记时刻）；尚未答复的不计入。"),
    Figure("suggestions.replied_within_7d_rate", "7 日内答复率", "percent", "higher", False,
           "提交后 7 天内得到工会答复的意见 ÷ 已满 7 天或已答复的意见。"),
    Figure("volunteers.hours", "志愿服务总时长", "hours", "higher", True,
           "期内开始的志愿活动的签退时长（签到到签退，不超过活动时长）加上期内计入的人工调整，合计小时数。"),
    Figure("volunteers.people", "志愿者人数", "count", "higher", False, "期内志愿时长大于 0 的会员数。"),
    Figure("volunteers.hours_per_volunteer", "人均志愿时长", "hours", "higher", False, "志愿服务总时长 ÷ 志愿者人数。"),
    Figure("surveys.count", "结束的问卷数", "count", None, False, "截止时间在期内、已发布的问卷数。"),
    Figure("surveys.responses", "问卷答卷数", "count", None, False,
           "这些问卷已归档的答卷数（匿名答卷按批归档后计入）。"),
    Figure("surveys.score", "问卷评分（满意度）", "score", "higher", True,
           "这些问卷全部评分题（1–5 分）答案的平均分；某问卷答卷不足 5 份则不计入。"),
    Figure("proposals.count", "提交提案数", "count", None, False, "期内提交的职代会提案数。"),
    Figure("proposals.assigned_on_time_rate", "提案按时交办率", "percent", "higher", True,
           "交办期限在期内的已立案提案中，在期限（7 个工作日）内交办的比例；期限未到且未交办的不计入。"),
    Figure("proposals.completed_on_time_rate", "提案按时办结率", "percent", "higher", True,
           "办结期限在期内的已交办提案中，在期限内办结的比例；期限未到且未办结的不计入。"),
    Figure("improvements.due", "到期整改事项", "count", None, False, "期限在期内、未取消的整改事项数。"),
    Figure("improvements.on_time_rate", "整改按期完成率", "percent", "higher", True,
           "期限在期内的整改事项中，在期限当日结束前完成的比例；期限未到且未完成的不计入。"),
]

BY_KEY: dict[str, Figure] = {f.key: f for f in FIGURES}


def is_known(ref: str) -> bool:
    """A figure key, or a table cell ``<table>:<row>:<column>`` of a table this report can hold."""
    if ref in BY_KEY:
        return True
    parts = ref.split(":")
    return len(parts) == 3 and all(parts) and parts[2] in TABLES.get(parts[0], {})


# Tables and their cells' figures: (table key, the figure a cell of a column stands for).
TABLES: dict[str, dict[str, str]] = {
    "participation.by_department": {"rate": "participation.rate", "checkins_per_member":
                                    "participation.checkins_per_member"},
    "participation.by_grid": {"rate": "participation.rate", "checkins_per_member":
                              "participation.checkins_per_member"},
    "participation.by_month": {"rate": "participation.rate"},
    "requests.by_category": {"first_response_on_time_rate": "requests.first_response_on_time_rate",
                             "on_time_rate": "requests.on_time_rate", "resolved_rate": "requests.resolved_rate",
                             "first_response_hours_median": "requests.first_response_hours_median",
                             "resolution_hours_median": "requests.resolution_hours_median"},
    "requests.by_grid": {"first_response_on_time_rate": "requests.first_response_on_time_rate",
                         "on_time_rate": "requests.on_time_rate", "resolved_rate": "requests.resolved_rate",
                         "first_response_hours_median": "requests.first_response_hours_median",
                         "resolution_hours_median": "requests.resolution_hours_median"},
    "benefits.by_campaign": {"claim_rate": "benefits.claim_rate", "redeem_rate": "benefits.redeem_rate"},
    "notices.by_channel": {"sent_rate": "notices.sent_rate"},
    "notices.by_source": {"read_rate": "notices.read_rate"},
    "suggestions.by_category": {"reply_days_median": "suggestions.reply_days_median",
                                "replied_within_7d_rate": "suggestions.replied_within_7d_rate"},
    "volunteers.by_department": {"hours": "volunteers.hours", "people": "volunteers.people"},
    "surveys.by_survey": {"score": "surveys.score"},
    "proposals.by_session": {"assigned_on_time_rate": "proposals.assigned_on_time_rate",
                             "completed_on_time_rate": "proposals.completed_on_time_rate"},
}


TARGET_RANGES = {"percent": (0.0, 1.0), "score": (1.0, 5.0)}  # others: not below zero


def target_error(ref: str, target: float | None) -> str | None:
    """Why a target cannot be one of this figure's values, or None: percents are fractions (0.7 for 70 %)."""
    figure, _cell = cell_figure(ref)
    if figure is None or target is None:
        return None
    lo, hi = TARGET_RANGES.get(figure.unit, (0.0, float("inf")))
    if not lo <= target <= hi:
        if figure.unit == "percent":
            return "百分比目标请填 0 到 1 之间的小数（如 0.7 表示 70%）"
        return "评分目标应在 1 到 5 之间" if figure.unit == "score" else "目标不能小于 0"
    return None


def cell_figure(ref: str) -> tuple[Figure | None, tuple[str, str, str] | None]:
    """The figure a reference stands for, and the (table, row, column) when it names a cell."""
    if ref in BY_KEY:
        return BY_KEY[ref], None
    parts = ref.split(":")
    if len(parts) == 3 and parts[0] in TABLES:
        fkey = TABLES[parts[0]].get(parts[2])
        return (BY_KEY[fkey] if fkey else None), (parts[0], parts[1], parts[2])
    return None, None
