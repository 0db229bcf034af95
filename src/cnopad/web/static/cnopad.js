// cnopad: the only script besides HTMX. After HTMX swaps a form, focus moves to its message so
// keyboard and screen-reader users hear the result (saved, or what to correct).
document.addEventListener("htmx:afterSettle", function () {
  var message = document.querySelector(".record-form .alert, .record-form .saved");
  if (message) {
    message.setAttribute("tabindex", "-1");
    message.focus();
  }
});

// A form sent after the session ended comes back as 401 with a sign-in box (x-cnopad-session: expired).
// The form and what was typed stay on the page; after signing in (a fetch to /login, which sets the new
// session cookie) the page takes the new session's CSRF token and sends the same form again.
var pendingForm = null;

document.addEventListener("htmx:responseError", function (event) {
  var xhr = event.detail.xhr;
  if (!xhr || xhr.status !== 401 || xhr.getResponseHeader("x-cnopad-session") !== "expired") {
    return;
  }
  var form = event.detail.elt && event.detail.elt.closest ? event.detail.elt.closest("form") : null;
  if (!form) {
    return;
  }
  pendingForm = form;
  var old = document.querySelector(".session-expired");
  if (old) {
    old.remove();
  }
  var holder = document.createElement("div");
  holder.innerHTML = xhr.responseText;
  var box = holder.firstElementChild;
  form.parentNode.insertBefore(box, form);
  var name = box.querySelector("input[name=name]");
  if (name) {
    name.focus();
  }
});

function tokenOf(html, selector, attribute) {
  var doc = new DOMParser().parseFromString(html, "text/html");
  var found = doc.querySelector(selector);
  return found ? found.getAttribute(attribute) : null;
}

document.addEventListener("submit", function (event) {
  var relogin = event.target;
  if (!relogin.classList || !relogin.classList.contains("relogin")) {
    return;
  }
  event.preventDefault();
  var box = relogin.closest(".session-expired");
  var error = relogin.querySelector(".relogin-error");
  fetch("/login", { method: "POST", body: new FormData(relogin), credentials: "same-origin" })
    .then(function (response) {
      return response.text().then(function (html) {
        return { ok: response.ok && !response.url.endsWith("/login"), html: html };
      });
    })
    .then(function (result) {
      if (!result.ok) {
        // a refused sign-in renders the sign-in page with a fresh token for the next attempt
        var fresh = tokenOf(result.html, "form[action='/login'] input[name=csrf_token]", "value");
        if (fresh) {
          relogin.querySelector("input[name=csrf_token]").value = fresh;
        }
        error.hidden = false;
        relogin.querySelector("input[name=password]").value = "";
        relogin.querySelector("input[name=password]").focus();
        return;
      }
      var headers = tokenOf(result.html, "body", "hx-headers");
      var token = headers ? JSON.parse(headers)["X-CSRF-Token"] : null;
      if (!token) {
        error.hidden = false;
        return;
      }
      document.body.setAttribute("hx-headers", headers);
      document.querySelectorAll("input[name=csrf_token]").forEach(function (input) {
        if (!relogin.contains(input)) {
          input.value = token;
        }
      });
      box.remove();
      if (pendingForm) {
        var form = pendingForm;
        pendingForm = null;
        form.requestSubmit();
      }
    });
});
