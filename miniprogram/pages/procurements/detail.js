// One purchase: its quotes, the named representatives and whether each confirmed, the choice and its reason.
// A named representative confirms here, once, that they took part (POST /fund/procurements/{id}/confirm).
const api = require('../../utils/api')
const { errorText } = require('../../utils/errors')
const { withLabels } = require('../../utils/labels')
const { procurementView } = require('../../utils/openness')

const MESSAGES = {
  not_found: '该比价不存在，或尚未随月度经费公开',
  already_confirmed: '您已确认参与过该比价',
  not_a_representative: '您不是该比价指定的职工代表',
  procurement_decided: '该比价已定标',
}

Page({
  data: { p: null, error: '', confirming: false, missing: false },

  onLoad(query = {}) {
    this.id = query.id
    return this.reload()
  },

  async reload() {
    try {
      const p = await withLabels(api.get(`/fund/procurements/${this.id}`, { silent: true }))
      this.setData({ p: procurementView(p), missing: false })
    } catch (err) {
      this.setData({ missing: true, error: errorText(err, MESSAGES) })
    }
  },

  async onConfirm() {
    if (this.data.confirming) return
    this.setData({ confirming: true, error: '' })
    try {
      const p = await withLabels(api.post(`/fund/procurements/${this.id}/confirm`, {}, { silent: true }))
      this.setData({ p: procurementView(p) })
      wx.showToast({ title: '已确认参与', icon: 'success' })
    } catch (err) {
      this.setData({ error: errorText(err, MESSAGES) })
      if (err.code === 'already_confirmed' || err.code === 'procurement_decided') await this.reload()
    } finally {
      this.setData({ confirming: false })
    }
  },
})
