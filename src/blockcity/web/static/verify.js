// Drag and drop for the verification form: a file dropped on the form is put into its file
// input and the form is sent, as if picked. Without this script the input works as usual.
"use strict";

(function () {
  const form = document.getElementById("verify-form");
  if (!form) {
    return;
  }
  const input = form.querySelector('input[type="file"]');
  form.addEventListener("dragover", function (event) {
    event.preventDefault();
    form.classList.add("over");
  });
  form.addEventListener("dragleave", function () {
    form.classList.remove("over");
  });
  form.addEventListener("drop", function (event) {
    event.preventDefault();
    form.classList.remove("over");
    if (event.dataTransfer && event.dataTransfer.files.length === 1) {
      input.files = event.dataTransfer.files;
      form.submit();
    }
  });
})();
