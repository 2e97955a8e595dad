// Staff web console: a small single-page app over /api/v1 (API.md). No build step; the view layer is
// lit-html, vendored (vendor/README.md). Pages: login, dashboard, events (+ screen, scan), notices, bookings,
// suggestions; shared pieces in components.js, labels from the server in labels.js.
import { signOut } from "./core.js";
import { startRouter } from "./router.js";

document.getElementById("sign-out").addEventListener("click", () => signOut("您已退出登录"));
startRouter();
