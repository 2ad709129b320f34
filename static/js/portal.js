// Page behaviour, bound here rather than in inline handlers, which the CSP refuses.
"use strict";

// A button with data-confirm asks its question before its form is sent.
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
  }
});

// A field with data-select-on-focus (a token shown once) selects its text for copying.
document.addEventListener("focusin", (event) => {
  if (event.target.matches("input[data-select-on-focus]")) {
    event.target.select();
  }
});
