// Asks before a form with data-confirm posts (redrive, run now). The browser's own dialog is keyboard- and
// screen-reader-accessible, and without JavaScript the form still works (the server does not depend on this).
for (const form of document.querySelectorAll('form[data-confirm]')) {
  form.addEventListener('submit', (event) => {
    if (!window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });
}
