// Progressive enhancement only: every page works without this file.
(function () {
  'use strict';

  // Forms marked data-confirm ask before they submit (stop, lock, reset, force sign-out…).
  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    var message = form.getAttribute('data-confirm');
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });

  // The side menu starts open (so it works without JS); on phones fold it into its
  // "菜单" summary so the page content comes first, and keep it open on wider screens.
  function fitMenu() {
    var menu = document.querySelector('.sidebar details');
    if (!menu || !window.matchMedia) return;
    var phone = window.matchMedia('(max-width: 767px)');
    var apply = function () {
      if (phone.matches) {
        menu.removeAttribute('open');
      } else {
        menu.setAttribute('open', '');
      }
    };
    apply();
    if (phone.addEventListener) {
      phone.addEventListener('change', apply);
    }
  }

  // A checklist item marked 不合格 opens its hazard fields (the server asks for them anyway and
  // reopens the block with an error if they were skipped).
  document.addEventListener('change', function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || input.type !== 'radio' || input.value !== 'fail') return;
    var item = input.closest('fieldset');
    var details = item && item.querySelector('details');
    if (details) details.open = true;
  });

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', fitMenu);
  } else {
    fitMenu();
  }
})();

// ---- BEGIN hazard ledger: organisation suggestions (hazard module; crates/web/src/hazard/org_filter.rs) ----
// An input with data-org-suggest="URL" asks URL?q=<typed text> for up to 20 organisations in the
// caller's scope while the person types, and lists them in the input's <datalist>. The page
// works without this: its datalist then holds the children of the current choice, and the server
// accepts any exact name (or 名称（上级名称）) typed into the field.
(function () {
  'use strict';
  var DELAY_MS = 200;
  var timer = null;
  var seq = 0;

  function fill(list, items) {
    while (list.firstChild) list.removeChild(list.firstChild);
    items.forEach(function (o) {
      var option = document.createElement('option');
      option.value = o.label;
      if (!o.active) option.textContent = '已停用';
      list.appendChild(option);
    });
  }

  function suggest(input) {
    var list = input.list;
    if (!list || !window.fetch) return;
    var text = input.value.trim();
    // A value picked from the list needs no new round trip.
    for (var i = 0; i < list.options.length; i++) {
      if (list.options[i].value === input.value) return;
    }
    var mine = ++seq;
    var url = input.getAttribute('data-org-suggest') + '?q=' + encodeURIComponent(text);
    fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        // Answers can arrive out of order; only the latest request's answer is shown.
        if (body && body.items && mine === seq) fill(list, body.items);
      })
      .catch(function () { /* the server-rendered options stay */ });
  }

  document.addEventListener('input', function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.hasAttribute('data-org-suggest')) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(function () { suggest(input); }, DELAY_MS);
  });
})();
// ---- END hazard ledger: organisation suggestions ----
