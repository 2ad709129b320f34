// Page behaviour, bound here rather than in inline handlers, which the CSP refuses.
"use strict";

// A button with data-confirm asks its question before its form is sent; a form that would
// otherwise be asked again on a page of its own (a `confirm` field) is sent confirmed.
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-confirm]");
  if (!button) {
    return;
  }
  if (!window.confirm(button.dataset.confirm)) {
    event.preventDefault();
    return;
  }
  const form = button.form;
  if (form && form.elements.confirm && !form.elements.confirmed) {
    const confirmed = document.createElement("input");
    confirmed.type = "hidden";
    confirmed.name = "confirmed";
    confirmed.value = "1";
    form.append(confirmed);
  }
});

// A field with data-select-on-focus (a token shown once) selects its text for copying.
document.addEventListener("focusin", (event) => {
  if (event.target.matches("input[data-select-on-focus]")) {
    event.target.select();
  }
});
