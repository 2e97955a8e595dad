// Mounts a mini-program page in miniprogram-simulate (a jsdom renderer of WXML).
//
// miniprogram-simulate renders custom components, not pages, so a page is turned into one: a global
// Page() captures the page's options object when its JS is required, and those options become a
// component definition (data -> data, every function -> a method) with the page's own WXML as the
// template. Lifecycle hooks (onLoad, onShow, onPullDownRefresh, onReachBottom) are then called by the
// test the way the runtime would, and taps are real events dispatched on the rendered nodes.
const fs = require('fs')
const path = require('path')
const simulate = require('miniprogram-simulate')
const jComponent = require('j-component')

// miniprogram-simulate registers built-in tags without properties, so their attributes are dropped.
// Declare the few attributes the tests read (a disabled button, an image's src) to keep them.
jComponent.register({
  id: 'button', tagName: 'wx-button', template: '<slot/>',
  properties: { disabled: Boolean, loading: Boolean, openType: String },
})
jComponent.register({
  id: 'textarea', tagName: 'wx-textarea', template: '<slot/>',
  properties: { value: String, placeholder: String, maxlength: Number },
})
jComponent.register({ id: 'image', tagName: 'wx-image', template: '<slot/>', properties: { src: String, mode: String } })

const ROOT = path.resolve(__dirname, '../..')

function loadPage(route) {
  let options = null
  global.Page = opts => { options = opts }
  // A fresh module registry per load, so one test can open the same page twice (a later visit).
  jest.isolateModules(() => require(path.join(ROOT, route + '.js')))
  delete global.Page
  if (!options) throw new Error(route + ' did not call Page()')
  return mountPage(options, fs.readFileSync(path.join(ROOT, route + '.wxml'), 'utf8'), route)
}

/** Mount page options (what a page passes to Page()) with a WXML template, as loadPage does. */
function mountPage(options, template, route = 'test/page') {
  const methods = {}
  Object.keys(options).forEach(key => {
    if (typeof options[key] === 'function') methods[key] = options[key]
  })
  const id = simulate.load({
    template,
    data: JSON.parse(JSON.stringify(options.data || {})),
    methods,
  })
  const comp = simulate.render(id)
  const parent = document.createElement('parent-wrapper')
  comp.attach(parent)
  const page = comp.instance
  page.route = route

  return {
    comp,
    page,
    /** All text the member can read, whitespace collapsed. */
    text: () => comp.dom.textContent.replace(/\s+/g, ' ').trim(),
    /** Text of each rendered node matching a WXML selector (#id or .class). */
    texts: selector => comp.querySelectorAll(selector).map(n => n.dom.textContent.replace(/\s+/g, ' ').trim()),
    /** Dispatch an event (tap by default) on the element with this id. */
    fire: (elementId, type = 'tap', detail = {}) => {
      const node = comp.querySelector('#' + elementId)
      if (!node) throw new Error('no element #' + elementId + ' on ' + route)
      node.dispatchEvent(type, { detail })
    },
    exists: elementId => !!comp.querySelector('#' + elementId),
    /** An attribute of a built-in element, e.g. prop('signup', 'disabled'). */
    prop: (elementId, name) => comp.querySelector('#' + elementId).data[name],
  }
}

module.exports = { loadPage, mountPage }
