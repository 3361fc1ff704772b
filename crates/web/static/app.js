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

// ---- BEGIN ledgers: organisation suggestions (hazards and safety work ledgers; crates/web/src/org_filter.rs) ----
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
// ---- END ledgers: organisation suggestions ----

/* risk */
// Risk assessment: shows D = L×E×C (or R = L×S) and the level while the form is filled in, from
// the grading rules the page carries in data- attributes. The server computes the same on submit;
// without this script the "计算等级" button asks the server instead.
(function () {
  'use strict';

  var CSS = { major: 'risk-red', large: 'risk-orange', general: 'risk-yellow', low: 'risk-blue' };

  // "0.5" → 5 tenths; NaN for anything else.
  function tenths(s) {
    if (!/^\d+(\.\d)?$/.test(s || '')) return NaN;
    var parts = s.split('.');
    return parseInt(parts[0], 10) * 10 + (parts[1] ? parseInt(parts[1], 10) : 0);
  }

  // D hundredths as people write D: 2010 → "20.1", 25 → "0.25".
  function formatD(h) {
    var i = Math.floor(h / 100), f = h % 100;
    if (f === 0) return String(i);
    if (f % 10 === 0) return i + '.' + (f / 10);
    return i + '.' + (f < 10 ? '0' : '') + f;
  }

  function ints(s) {
    return (s || '').split(',').map(function (x) { return parseInt(x, 10); });
  }

  function names(s) {
    var out = {};
    (s || '').split(',').forEach(function (pair) {
      var i = pair.indexOf(':');
      if (i > 0) out[pair.slice(0, i)] = pair.slice(i + 1);
    });
    return out;
  }

  function checked(box, name) {
    var el = box.querySelector('input[name="' + name + '"]:checked');
    return el ? el.value : '';
  }

  // A select's value, or the checked radio's (LS is radios in the inherent box, selects in the
  // residual one).
  function value(box, name) {
    var el = box.querySelector('select[name="' + name + '"]');
    return el ? el.value : checked(box, name);
  }

  // Each box (inherent, residual) has its own fields, named with its data-prefix.
  function update(box) {
    var out = box.querySelector('output');
    if (!out) return;
    var p = box.getAttribute('data-prefix') || '';
    var method = checked(box, p + 'method');
    var labels = names(box.getAttribute('data-level-names'));
    var text = '选择取值后显示计算结果', level = '';
    if (method === 'lec') {
      var l = tenths(value(box, p + 'l')), e = tenths(value(box, p + 'e')), c = tenths(value(box, p + 'c'));
      if (!isNaN(l) && !isNaN(e) && !isNaN(c)) {
        var d = l * e * c / 10;
        var b = ints(box.getAttribute('data-lec-bounds'));
        var levels = (box.getAttribute('data-lec-levels') || '').split(',');
        var band = d > b[3] ? 0 : d > b[2] ? 1 : d > b[1] ? 2 : d > b[0] ? 3 : 4;
        level = levels[band] || '';
        text = 'D = ' + value(box, p + 'l') + '×' + value(box, p + 'e') + '×' + value(box, p + 'c') + ' = ' + formatD(d);
      }
    } else if (method === 'ls') {
      var ll = parseInt(value(box, p + 'ls_l'), 10), s = parseInt(value(box, p + 'ls_s'), 10);
      if (ll >= 1 && s >= 1) {
        var r = ll * s, m = ints(box.getAttribute('data-ls-min'));
        level = r >= m[0] ? 'major' : r >= m[1] ? 'large' : r >= m[2] ? 'general' : 'low';
        text = 'R = ' + ll + '×' + s + ' = ' + r;
      }
    } else if (method === 'direct') {
      level = 'major';
      text = '直接判定';
    } else if (p && !method) {
      text = '未评估剩余风险';
    }
    out.textContent = level ? text + ' → ' + (labels[level] || level) : text;
    out.className = CSS[level] || 'risk-none';
  }

  function init() {
    var boxes = document.querySelectorAll('[data-risk-assess]');
    Array.prototype.forEach.call(boxes, function (box) {
      var button = box.querySelector('.no-js-compute');
      if (button) button.hidden = true;
      box.addEventListener('change', function () { update(box); });
      update(box);
    });
    // The notice card's print button (a plain link to the printable page without JS).
    Array.prototype.forEach.call(document.querySelectorAll('[data-print]'), function (el) {
      el.addEventListener('click', function (event) {
        event.preventDefault();
        window.print();
      });
    });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
/* end risk */
