// The craftsman star (工匠之星): how a Round, a Nomination and a Winner from the API (docs/council.md) read on the
// member's pages. Stage names are the server's craftsman_stage labels (GET /meta/labels); tones, what each stage
// lets a member do and the error wording are presentation.
const { label } = require('./labels')
const { formatDateTime } = require('./format')

const TONES = {
  nominating: 'warning',
  reviewing: 'info',
  shortlisted: 'info',
  voting: 'warning',
  counting: 'muted',
  published: 'success',
}

// The review is over from these stages on: every member reads the shortlist.
const SHORTLIST_PUBLIC = ['shortlisted', 'voting', 'counting', 'published']
// The committee reviews from the round's creation until review_closes_at.
const REVIEWING = ['nominating', 'reviewing']

// Error codes as the craftsman pages word them (the server's own message still wins when it sent one).
const MESSAGES = {
  not_found: '该评选或推荐不存在',
  forbidden: '评审结束后公布入围名单',
  nomination_closed: '推荐已截止',
  already_nominated: '该会员本轮已被推荐，无需重复推荐',
  review_closed: '评审已截止',
  already_reviewed: '您已评审过该推荐',
  invalid_attachment: '照片无效或已被使用，请删除后重新选择',
}

const FIELD_NAMES = { nominee_id: '被推荐人', reason: '推荐理由', evidence: '事迹材料', photos: '照片' }

function stageBadge(stage) {
  return { text: label('craftsman_stage', stage), tone: TONES[stage] || 'muted' }
}

/** A round; staff (a role of the member signed in) read every nomination, as its committee does. */
function roundView(r, { staff = false, now = Date.now() } = {}) {
  const onCommittee = !!r.on_committee
  return {
    id: r.id,
    year: r.year,
    title: r.title,
    stage: r.stage,
    badge: stageBadge(r.stage),
    nominationClosesText: formatDateTime(r.nomination_closes_at, now),
    reviewClosesText: formatDateTime(r.review_closes_at, now),
    voteText: `${formatDateTime(r.vote_opens_at, now)} 至 ${formatDateTime(r.vote_closes_at, now)}`,
    winners: r.winners,
    committeeNames: (r.committee || []).map(c => c.name).join('、'),
    onCommittee,
    nominationsCount: r.nominations_count || 0,
    voteId: r.vote_id || null,
    canNominate: r.stage === 'nominating',
    canVote: r.stage === 'voting' && !!r.vote_id,
    published: r.stage === 'published',
    seesAll: onCommittee || staff,
    canReview: onCommittee && REVIEWING.includes(r.stage),
    shortlistPublic: SHORTLIST_PUBLIC.includes(r.stage),
  }
}

function photosView(photos) {
  return (photos || []).map(p => ({ id: p.id, url: p.url }))
}

/** Who nominated: 自荐, the nominator's name (to the committee, staff and the nominator), or nothing. */
function nominatorText(n) {
  if (n.self_nominated) return '自荐'
  return n.nominated_by && n.nominated_by.name ? `推荐人：${n.nominated_by.name}` : ''
}

/** A nomination; canReview: the reader is on the committee and the review is still on. */
function nominationView(n, { canReview = false } = {}) {
  const tallied = n.reviews !== null && n.reviews !== undefined
  const review = n.my_review
  return {
    id: n.id,
    nomineeName: (n.nominee && n.nominee.name) || '',
    department: n.department || '',
    nominatorText: nominatorText(n),
    reason: n.reason || '',
    evidence: n.evidence || '',
    photos: photosView(n.photos),
    tallied,
    tallyText: tallied ? `已评 ${n.reviews} 人 · 同意 ${n.approvals} 人` : '',
    shortlisted: !!n.shortlisted,
    myReviewText: review ? `我的评审：${review.approve ? '同意' : '不同意'}${review.comment ? '（' + review.comment + '）' : ''}` : '',
    reviewable: canReview && !review,
  }
}

function winnerView(w) {
  return {
    id: w.id,
    year: w.year,
    roundId: w.round_id,
    rank: w.rank,
    rankText: `第 ${w.rank} 名`,
    votes: w.votes,
    votesText: `${w.votes} 票`,
    name: (w.member && w.member.name) || '',
    department: w.department || '',
    reason: w.reason || '',
    evidence: w.evidence || '',
    photos: photosView(w.photos),
  }
}

module.exports = { MESSAGES, FIELD_NAMES, stageBadge, roundView, nominationView, nominatorText, winnerView }
