// ita-report serve: small comforts where JavaScript runs; every page works without it.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // a "copy" button beside each department's link (to paste into LINE or an e-mail)
  for (const box of document.querySelectorAll("input.link-box")) {
    box.addEventListener("focus", () => box.select());
    const button = document.createElement("button");
    button.type = "button";
    button.className = "copy";
    button.textContent = "คัดลอก";
    const done = () => {
      button.textContent = "คัดลอกแล้ว ✓";
      setTimeout(() => { button.textContent = "คัดลอก"; }, 2000);
    };
    button.addEventListener("click", () => {
      box.select();
      let copied = false;
      try {
        copied = document.execCommand("copy");
      } catch {
        copied = false;
      }
      if (copied) {
        done();
      } else if (navigator.clipboard) {
        navigator.clipboard.writeText(box.value).then(done, () => {});
      }
    });
    box.after(button);
  }
});
