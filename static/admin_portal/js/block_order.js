/* Card admin: ▲▼ buttons on each □ block move it and renumber the blocks' order fields. */
(function () {
  "use strict";

  function rows(group) {
    return Array.from(group.querySelectorAll(".inline-related")).filter(function (row) {
      return !row.classList.contains("empty-form") && row.id && !row.id.endsWith("-empty");
    });
  }

  function renumber(group) {
    rows(group).forEach(function (row, index) {
      const order = row.querySelector("input.block-order");
      if (order) {
        order.value = String(index + 1);
      }
    });
  }

  function addButtons(group, row) {
    const heading = row.querySelector("h3");
    if (!heading || heading.querySelector(".block-move")) {
      return;
    }
    const tools = document.createElement("span");
    tools.className = "block-move";
    [["-1", "▲", "위로"], ["1", "▼", "아래로"]].forEach(function (spec) {
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.move = spec[0];
      button.textContent = spec[1];
      button.title = spec[2];
      button.setAttribute("aria-label", spec[2]);
      tools.appendChild(button);
    });
    heading.insertBefore(tools, heading.firstChild);
  }

  function setUp(group) {
    rows(group).forEach(function (row) {
      addButtons(group, row);
    });
    group.addEventListener("click", function (event) {
      const button = event.target.closest(".block-move button");
      if (!button) {
        return;
      }
      const all = rows(group);
      const row = button.closest(".inline-related");
      const index = all.indexOf(row);
      const target = all[index + Number(button.dataset.move)];
      if (!target) {
        return;
      }
      if (Number(button.dataset.move) < 0) {
        row.parentNode.insertBefore(row, target);
      } else {
        row.parentNode.insertBefore(target, row);
      }
      renumber(group);
      button.focus();
    });
    document.addEventListener("formset:added", function (event) {
      const row = event.target;
      if (group.contains(row)) {
        addButtons(group, row);
        renumber(group);
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    const group = document.getElementById("blocks-group");
    if (group) {
      setUp(group);
    }
  });
})();
