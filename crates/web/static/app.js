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
