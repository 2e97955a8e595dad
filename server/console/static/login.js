// Sign-in with employee number and password; staff roles, and treasurers for the 经费 section only.
import { CONSOLE_ROLES, api, flash, fmtWait, fundOnly, homeOf, session } from "./core.js";
import { alertBox, submitButton } from "./components.js";
import { html, render } from "./view.js";

export function viewLogin(root) {
  let alerts = flash.signIn ? [[flash.signIn, "warn"]] : [];
  let busy = false;
  flash.signIn = "";
  draw();
  root.querySelector("[name=employee_no]").focus();

  function draw() {
    render(html`<div class="login-wrap"><form class="login-card" novalidate @submit=${onSubmit}>
      <div class="login-brand"><span class="brand-mark brand-mark-lg">同</span>
        <div><h1>${document.body.dataset.unionName || "同心工会"}</h1><p class="muted">工会工作人员管理后台</p></div></div>
      <div class="form-message">${alerts.map(([text, kind]) => alertBox(text, kind))}</div>
      <label class="field"><span>工号</span><input name="employee_no" autocomplete="username" required></label>
      <label class="field"><span>密码</span>
        <input name="password" type="password" autocomplete="current-password" required></label>
      ${submitButton("登录", busy, { cls: "btn btn-primary btn-block" })}
      <p class="hint">仅限工会工作人员使用。忘记密码请联系系统管理员。</p>
    </form></div>`, root);
  }

  async function onSubmit(ev) {
    ev.preventDefault();
    const f = ev.currentTarget.elements;
    const employee_no = f.employee_no.value.trim();
    const password = f.password.value;
    alerts = [];
    if (!employee_no || !password) {
      alerts = [["请输入工号和密码", "error"]];
      draw();
      return;
    }
    busy = true;
    draw();
    try {
      const out = await api("/auth/password-login", { method: "POST", body: { employee_no, password } });
      if (!out.member || !out.member.roles.some((r) => CONSOLE_ROLES.includes(r))) {
        // The API would refuse every staff call anyway; say so up front instead of failing later.
        alerts = [["该账号没有管理后台权限。管理后台仅限工会工作人员使用，如需开通请联系工会管理员。", "error"]];
        return;
      }
      session.save(out);
      // A treasurer returns to a 经费 page only (the router would send anything else there anyway).
      const next = flash.next && (!fundOnly(out.member) || flash.next.startsWith("#/fund")) ? flash.next : "";
      location.hash = next || homeOf(out.member);
      flash.next = "";
    } catch (e) {
      // Throttled (too many attempts for this account or from this network): say how long to wait.
      const wait = e.code === "rate_limited" && Number(e.details.retry_after);
      alerts = [[wait ? `登录尝试次数过多，为保护账号安全已暂停登录，请 ${fmtWait(wait)}后再试` : e.message, "error"]];
    } finally {
      busy = false;
      draw();
    }
  }
}
