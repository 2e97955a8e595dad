// The console's view layer: lit-html (vendored, see vendor/README.md), re-exported from one place so an
// update or an added directive touches this file only.
import { noChange } from "./vendor/lit-html/lit-html.js";
import { Directive, directive } from "./vendor/lit-html/directive.js";

export { html, nothing, render } from "./vendor/lit-html/lit-html.js";
export { live } from "./vendor/lit-html/directives/live.js";

/**
 * `style=${cssProps({ width: "40%" })}`: sets the properties through the CSSOM, every time. lit-html's own
 * styleMap writes a style attribute on first render, which the console's CSP (style-src 'self') blocks.
 */
class CssProps extends Directive {
  render() { return noChange; }

  update(part, [props]) {
    for (const [name, value] of Object.entries(props)) part.element.style.setProperty(name, value);
    return noChange;
  }
}
export const cssProps = directive(CssProps);
