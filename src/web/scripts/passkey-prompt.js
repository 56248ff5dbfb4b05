// The bank's only customer-page script: it runs the browser's passkey prompt (WebAuthn, through
// @simplewebauthn/browser, loaded just before this file) for a form that offers a passkey, puts the answer in the
// form's hidden `passkey_response` field and submits the form with the button that was pressed. The server checks
// everything; this file only carries the answer. Without it (scripts off, no WebAuthn) the page says so and the
// customer chooses another method.
(function () {
  'use strict';
  var library = window.SimpleWebAuthnBrowser;
  var holders = document.querySelectorAll('[data-passkey-options]');
  for (var index = 0; index < holders.length; index++) wire(holders[index]);

  function wire(holder) {
    var form = holder.closest('form');
    var field = form && form.querySelector('input[name="passkey_response"]');
    var status = holder.querySelector('[data-passkey-status]');
    if (!form || !field || !status) return;
    if (!library || !library.browserSupportsWebAuthn()) {
      status.textContent = holder.getAttribute('data-passkey-unsupported');
      return;
    }
    var register = holder.getAttribute('data-passkey-mode') === 'register';
    form.addEventListener('submit', function (event) {
      // A second pass carries the answer; a "deny" or "decline" button needs no passkey.
      if (field.value !== '' || (event.submitter && event.submitter.hasAttribute('formnovalidate'))) return;
      event.preventDefault();
      var submitter = event.submitter || undefined;
      var optionsJSON = JSON.parse(holder.getAttribute('data-passkey-options'));
      status.textContent = holder.getAttribute('data-passkey-waiting');
      var ceremony = register ? library.startRegistration({ optionsJSON: optionsJSON }) : library.startAuthentication({ optionsJSON: optionsJSON });
      ceremony.then(function (answer) {
        field.value = JSON.stringify(answer);
        form.requestSubmit(submitter);
      }, function () {
        // Cancelled, timed out, or no matching passkey on this device: the challenge is still live, so try again.
        status.textContent = holder.getAttribute('data-passkey-failed');
      });
    });
  }
})();
