// A craftsman star's page (GET /craftsman/winners/{id}, members only): name, department, year and rank, the
// votes, the nomination's reason and evidence, and its photos (fetched with our token, previewed together).
const api = require('../../utils/api')
const { errorText } = require('../../utils/errors')
const { imageSlots, downloadImages, previewImages } = require('../../utils/images')
const { MESSAGES, winnerView } = require('../../utils/craftsman')

Page({
  data: { winner: null, loadError: '', photos: {} },

  async onLoad(query = {}) {
    try {
      const winner = winnerView(await api.get(`/craftsman/winners/${query.id}`, { silent: true }))
      const { photos, wanted } = imageSlots(this.data.photos, winner.photos)
      this.setData({ winner, photos })
      wx.setNavigationBarTitle && wx.setNavigationBarTitle({ title: `${winner.year}年度工匠之星` })
      await downloadImages(this, wanted)
    } catch (err) {
      this.setData({ loadError: errorText(err, Object.assign({}, MESSAGES, { not_found: '该获奖者不存在' })) })
    }
  },

  onPreview(e) {
    previewImages(this.data.photos, this.data.winner.photos, e.currentTarget.dataset.path)
  },

  onShareAppMessage() {
    const w = this.data.winner
    return { title: w ? `${w.year}年度工匠之星：${w.name}` : '工匠之星', path: `pages/craftsman/winner?id=${w ? w.id : ''}` }
  },
})
