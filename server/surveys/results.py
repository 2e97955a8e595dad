"""Results and turnout, in set-based SQL: counts per (question, option), scale sums and counts, and the
same per group for a breakdown; only group names and numbers come back to Python.

A breakdown group (department, grid or tag) of fewer than 5 respondents is merged into "other"; when the
merged group is itself under 5, the smallest shown groups join it, so no shown number is below 5 and no
hidden group can be worked out by subtraction. An anonymous survey is broken down by department or grid
(names stored on the response, never the member) and never by tag (docs/anonymity.md).
"""
from __future__ import annotations

from collections import Counter, defaultdict

from sqlalchemy import func, select

from ..core.errors import invalid_request
from ..core.extensions import db
from ..core.sealed import shuffled
from ..members.models import Department, Member, MemberTag, Tag
from . import answering, services
from .models import QuestionKind, Survey, SurveyAnswer, SurveyParticipation, SurveyQuestion, SurveyResponse

MIN_GROUP = 5
OTHER = "other"
NONE = ""  # respondents without a department or grid


def merge_small(counts: dict[str, int]) -> tuple[dict[str, str], set[str]]:
    """Group → shown group (itself or OTHER), and the groups hidden altogether (when even merged they
    stay under 5)."""
    shown = sorted(((k, n) for k, n in counts.items() if n >= MIN_GROUP), key=lambda kv: (-kv[1], kv[0]))
    small = [k for k, n in counts.items() if n < MIN_GROUP]
    merged = sum(counts[k] for k in small)
    while 0 < merged < MIN_GROUP and shown:
        k, n = shown.pop()
        small.append(k)
        merged += n
    mapping = {k: k for k, _ in shown}
    if merged >= MIN_GROUP:
        mapping |= {k: OTHER for k in small}
        return mapping, set()
    return mapping, set(small)


def _group_column(survey: Survey, by: str | None):
    if by is None:
        return None
    if by == "tag":
        if survey.anonymous:
            raise invalid_request({"by": "匿名问卷不能按标签分组（匿名答卷不记录会员）"})
        return Tag.name
    return func.coalesce(SurveyResponse.department if by == "department" else SurveyResponse.grid, NONE)


def _grouped(stmt, by: str | None):
    """Join what the group column needs (tags through the identified response's member)."""
    if by == "tag":
        stmt = stmt.join(MemberTag, MemberTag.member_id == SurveyResponse.member_id)
        stmt = stmt.join(Tag, Tag.id == MemberTag.tag_id)
    return stmt


def compute(survey: Survey, by: str | None = None) -> dict:
    questions = services.questions_of([survey.id])[survey.id]
    qpos = {q.id: q for q in questions}
    group = _group_column(survey, by)
    respondents = db.session.scalar(select(func.count()).select_from(SurveyResponse)
                                    .where(SurveyResponse.survey_id == survey.id))
    # Per (question, item, value): how many rows; and how many respondents answered each question.
    counts = db.session.execute(
        select(SurveyAnswer.question_id, SurveyAnswer.item, SurveyAnswer.value, func.count())
        .where(SurveyAnswer.survey_id == survey.id, SurveyAnswer.text.is_(None))
        .group_by(SurveyAnswer.question_id, SurveyAnswer.item, SurveyAnswer.value)
    ).all()
    answered = dict(db.session.execute(
        select(SurveyAnswer.question_id, func.count(func.distinct(SurveyAnswer.response_id)))
        .where(SurveyAnswer.survey_id == survey.id).group_by(SurveyAnswer.question_id)).all())
    per_item: dict[int, Counter] = defaultdict(Counter)
    per_value: dict[int, Counter] = defaultdict(Counter)
    for qid, item, value, n in counts:
        if qpos[qid].kind == QuestionKind.scale:
            per_value[qid][value] += n
        else:
            per_item[qid][item] += n
    texts: dict[int, list[str]] = defaultdict(list)
    for qid, text in db.session.execute(select(SurveyAnswer.question_id, SurveyAnswer.text)
                                        .where(SurveyAnswer.survey_id == survey.id, SurveyAnswer.text.is_not(None))):
        texts[qid].append(text)
    out_questions = []
    for q in questions:
        item = {"question": q.position, "kind": q.kind, "text": q.text, "answered": answered.get(q.id, 0)}
        if q.kind in (QuestionKind.single, QuestionKind.multiple):
            item["options"] = [{"option": i, "text": o, "count": per_item[q.id][i]} for i, o in enumerate(q.options)]
        elif q.kind == QuestionKind.scale:
            dist = per_value[q.id]
            n = sum(dist.values())
            item["distribution"] = {str(v): dist[v] for v in range(1, 6)}
            item["mean"] = round(sum(v * c for v, c in dist.items()) / n, 2) if n else None
        else:
            item["texts"] = shuffled(texts[q.id])  # random order: never the order written or the group
        out_questions.append(item)
    result = {"survey_id": survey.id, "anonymous": survey.anonymous, "status": services.effective_status(survey),
              "respondents": respondents, "pending": answering.held_counts([survey.id])[survey.id],
              "questions": out_questions, "by": by}
    if group is not None:
        result["groups"] = _groups(survey, by, group, questions)
    return result


def _groups(survey: Survey, by: str, group, questions: list[SurveyQuestion]) -> list[dict]:
    sizes = dict(db.session.execute(_grouped(
        select(group, func.count(func.distinct(SurveyResponse.id))).select_from(SurveyResponse), by)
        .where(SurveyResponse.survey_id == survey.id).group_by(group)).all())
    mapping, _hidden = merge_small(sizes)
    rows = db.session.execute(_grouped(
        select(group, SurveyAnswer.question_id, SurveyAnswer.item, SurveyAnswer.value, func.count())
        .select_from(SurveyAnswer).join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id), by)
        .where(SurveyAnswer.survey_id == survey.id, SurveyAnswer.text.is_(None))
        .group_by(group, SurveyAnswer.question_id, SurveyAnswer.item, SurveyAnswer.value)).all()
    kinds = {q.id: q.kind for q in questions}
    items: dict[str, dict[int, Counter]] = defaultdict(lambda: defaultdict(Counter))
    for g, qid, item, value, n in rows:
        if g not in mapping:
            continue  # hidden: even merged, under 5
        items[mapping[g]][qid][value if kinds[qid] == QuestionKind.scale else item] += n
    shown_sizes: Counter = Counter()
    for g, n in sizes.items():
        if g in mapping:
            shown_sizes[mapping[g]] += n
    out = []
    for g in sorted(shown_sizes, key=lambda k: (k == OTHER, -shown_sizes[k], k)):
        qs = []
        for q in questions:
            c = items[g][q.id]
            if q.kind in (QuestionKind.single, QuestionKind.multiple):
                qs.append({"question": q.position, "options": [{"option": i, "text": o, "count": c[i]}
                                                               for i, o in enumerate(q.options)]})
            elif q.kind == QuestionKind.scale:
                n = sum(c.values())
                qs.append({"question": q.position,
                           "mean": round(sum(v * k for v, k in c.items()) / n, 2) if n else None})
        out.append({"group": g, "respondents": shown_sizes[g], "questions": qs})
    return out


def turnout(survey: Survey) -> dict:
    """Eligible members and how many answered, by department (from the participation record only);
    departments with fewer than 5 eligible members are merged into "other"."""
    dept = func.coalesce(Department.name, NONE)
    answered_col = func.count(SurveyParticipation.member_id)
    rows = db.session.execute(
        select(dept, func.count(Member.id), answered_col).select_from(Survey)
        .join(Member, services.admits_member_columns())
        .outerjoin(Department, Department.id == Member.department_id)
        .outerjoin(SurveyParticipation, (SurveyParticipation.survey_id == Survey.id)
                   & (SurveyParticipation.member_id == Member.id))
        .where(Survey.id == survey.id).group_by(dept)).all()
    eligible = {d: e for d, e, _ in rows}
    done = {d: a for d, _, a in rows}
    mapping, hidden = merge_small(eligible)
    groups: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for d in eligible:
        key = mapping.get(d, OTHER)
        groups[key][0] += eligible[d]
        groups[key][1] += done[d]
    total_e = sum(eligible.values())
    # Participants who have since left the audience still count as answered.
    total_a = db.session.scalar(select(func.count()).select_from(SurveyParticipation)
                                .where(SurveyParticipation.survey_id == survey.id))
    return {"survey_id": survey.id, "eligible": total_e, "answered": total_a,
            "rate": round(total_a / total_e, 4) if total_e else 0.0,
            "by_department": [{"department": k, "eligible": v[0], "answered": v[1]}
                              for k, v in sorted(groups.items(), key=lambda kv: (kv[0] == OTHER, kv[0]))]}


def export_rows(result: dict) -> tuple[list[str], list[list]]:
    """One sheet: a row per option, per scale value and mean, per text (texts already shuffled)."""
    headers = ["题号", "题目", "题型", "选项/分值", "人数", "文字回答"]
    rows: list[list] = []
    for q in result["questions"]:
        n, kind = q["question"] + 1, QuestionKind(q["kind"]).label
        if q.get("options") is not None:
            rows += [[n, q["text"], kind, o["text"], o["count"], ""] for o in q["options"]]
        elif q.get("distribution") is not None:
            rows += [[n, q["text"], kind, f"{v} 分", c, ""] for v, c in q["distribution"].items()]
            rows.append([n, q["text"], kind, "平均分", q["mean"] if q["mean"] is not None else "", ""])
        else:
            rows += [[n, q["text"], kind, "", "", t] for t in q["texts"]]
    return headers, rows

