// The console's view layer: lit-html (vendored, see vendor/README.md), re-exported from one place so an
// update or an added directive touches this file only.
export { html, nothing, render } from "./vendor/lit-html/lit-html.js";
export { classMap } from "./vendor/lit-html/directives/class-map.js";
export { ifDefined } from "./vendor/lit-html/directives/if-defined.js";
export { live } from "./vendor/lit-html/directives/live.js";
export { createRef, ref } from "./vendor/lit-html/directives/ref.js";
export { repeat } from "./vendor/lit-html/directives/repeat.js";
export { styleMap } from "./vendor/lit-html/directives/style-map.js";
