/* The event description's editor: Trix (static/vendor/trix/), limited to what the server keeps
   (events/richtext.py: paragraphs, bold, italic, links, lists). Each textarea marked
   data-rich-text gets a toolbar (from the <template> its widget renders, in the page's language)
   and an editor that writes its HTML back into the textarea, which stays the submitted field.
   Without JavaScript, or if Trix does not load, the textarea is left as it is. */
(function () {
  "use strict";
  if (!window.Trix || !window.customElements) {
    return;
  }
  // Paragraphs rather than Trix's <div>s. Return is a line break; a blank line (Return twice)
  // is stored as a new paragraph by the server (events/richtext.py).
  Trix.config.blockAttributes.default.tagName = "p";

  // No files: the description has no images or attachments (the event's image is its own field).
  document.addEventListener("trix-file-accept", function (event) {
    event.preventDefault();
  });
  document.addEventListener("trix-attachment-add", function (event) {
    event.attachment.remove();
  });

  // Trix acts on a toolbar button's mousedown; a button pressed with Enter or Space (a click with
  // no pointer, detail 0) gets the same, so the toolbar works from the keyboard.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("trix-toolbar button");
    if (button && event.detail === 0) {
      button.dispatchEvent(new MouseEvent("mousedown", {bubbles: true, cancelable: true}));
    }
  });

  Array.prototype.forEach.call(document.querySelectorAll("textarea[data-rich-text]"), function (textarea) {
    var template = document.querySelector('template[data-rich-text-toolbar="' + textarea.id + '"]');
    if (!template) {
      return;
    }
    var toolbar = document.importNode(template.content, true);
    var editor = document.createElement("trix-editor");
    editor.id = textarea.id + "-editor";
    editor.className = "rich-text-editor";
    editor.setAttribute("input", textarea.id);
    editor.setAttribute("toolbar", textarea.id + "-toolbar");
    ["aria-describedby", "aria-invalid", "aria-required"].forEach(function (name) {
      if (textarea.hasAttribute(name)) {
        editor.setAttribute(name, textarea.getAttribute(name));
      }
    });
    var label = document.querySelector('label[for="' + textarea.id + '"]');
    if (label) {
      // The label names and focuses the editor; the hidden textarea keeps the value.
      label.id = label.id || textarea.id + "-label";
      editor.setAttribute("aria-labelledby", label.id);
      label.htmlFor = editor.id;
    }
    textarea.hidden = true;
    textarea.parentNode.insertBefore(toolbar, textarea);
    textarea.parentNode.insertBefore(editor, textarea);
  });
})();
