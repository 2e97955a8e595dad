// Pictures behind our token (uploads: a proposal step's, a nomination's, a winner's): each gets a slot in the
// page's data.photos ({[id]: {path, failed}}) before the page renders, and a download fills it in; shown from
// the temp file, previewed together.
const api = require('./api')

/** An upload's URL ("/api/v1/uploads/abc") → a key safe in a setData path. */
function imageKey(url) {
  return String(url).split('?')[0].split('/').pop().replace(/[^\w-]/g, '_')
}

/** The slots the page's photos need for these images ({id, url}), and the images still to fetch. */
function imageSlots(photos, images) {
  const next = Object.assign({}, photos)
  const wanted = []
  images.forEach(img => {
    if (!next[img.id] || next[img.id].failed) {
      next[img.id] = { path: '', failed: false }
      wanted.push(img)
    }
  })
  return { photos: next, wanted }
}

/** Download the images into the page's photo slots (a failure marks its slot; nothing is toasted). */
function downloadImages(page, images) {
  return Promise.all(images.map(async img => {
    try {
      const path = await api.download(img.url, { silent: true })
      page.setData({ [`photos.${img.id}`]: { path, failed: false } })
    } catch (err) {
      page.setData({ [`photos.${img.id}`]: { path: '', failed: true } })
    }
  }))
}

/** Preview the downloaded ones of these images, starting at the one tapped (its temp path). */
function previewImages(photos, images, current) {
  const urls = images.map(img => photos[img.id]).filter(shown => shown && shown.path).map(shown => shown.path)
  wx.previewImage({ current, urls })
}

module.exports = { imageKey, imageSlots, downloadImages, previewImages }
