// Display labels of the server's vocabularies (GET /meta/labels), fetched once and kept in memory.
// Names come from the server; presentation that is not a name (badge tones, colours) stays in the front end.
import { API } from "./core.js";

let table = {};
let loading = null;

/** Loads the labels once; a failed load is retried on the next call (the next page visit). */
export function loadLabels() {
  loading ??= fetch(`${API}/meta/labels`, { headers: { Accept: "application/json" } })
    .then((resp) => {
      if (!resp.ok) throw new Error(`labels: HTTP ${resp.status}`);
      return resp.json();
    })
    .then((data) => { table = data; })
    .catch((e) => {
      // Pages still work, showing raw values, until a later visit loads the labels.
      loading = null;
      console.warn(e);
    });
  return loading;
}

/** The Chinese label of a value; an unknown value renders as the value itself. */
export const label = (vocab, value) => table[vocab]?.[value] ?? value;

/** [value, label] pairs in the server's display order (for <select> options and legends). */
export const choices = (vocab) => Object.entries(table[vocab] || {});
