/* Report editor (admin DepartmentReport change page).
 *
 * Live totals (staffing 계·과부족, budget 예산액·집행액·집행률 and the 계 row, 소요예산 계), rows
 * added from <template> elements, and cards reordered with ▲▼ or by dragging ⠿. The server
 * computes and checks everything again: this only keeps the screen in step while typing.
 */
(function () {
  "use strict";

  const form = document.getElementById("report-editor");
  if (!form) {
    return;
  }

  // Numbers ------------------------------------------------------------------------------------

  /** "1,079,048" / "1079048" / " 1 079 048 " → 1079048; "" → 0; anything else → NaN. */
  function parseNumber(text) {
    const compact = String(text || "").normalize("NFKC").replace(/\s+/g, "");
    if (compact === "") {
      return 0;
    }
    if (/^[0-9]+$/.test(compact) || /^[0-9]{1,3}(,[0-9]{3})+$/.test(compact)) {
      return Number(compact.replace(/,/g, ""));
    }
    return NaN;
  }

  function formatNumber(value) {
    if (Number.isNaN(value)) {
      return "?";
    }
    return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }

  /** 과부족: △2 for −2, blank for 0. */
  function formatSigned(value, zero) {
    if (Number.isNaN(value)) {
      return "?";
    }
    if (value === 0) {
      return zero || "";
    }
    return value < 0 ? "△" + formatNumber(-value) : formatNumber(value);
  }

  /** 집행률 in percent, one decimal, half-up (as budget.models.execution_rate). */
  function formatRate(executed, amount) {
    if (!amount || Number.isNaN(executed) || Number.isNaN(amount)) {
      return "-";
    }
    const tenths = Math.floor((executed * 2000 + amount) / (2 * amount));
    return Math.floor(tenths / 10) + "." + (tenths % 10);
  }

  function valueOf(scope, selector) {
    const input = scope.querySelector(selector);
    return input ? parseNumber(input.value) : 0;
  }

  function sumOf(scope, names, prefix) {
    return names.reduce(function (total, name) {
      return total + valueOf(scope, 'input[name$="-' + prefix + name + '"]');
    }, 0);
  }

  function setText(element, text) {
    if (element && element.textContent !== text) {
      element.textContent = text;
    }
  }

  // Staffing -----------------------------------------------------------------------------------

  function updateStaffing() {
    const table = form.querySelector("table[data-staffing]");
    if (!table) {
      return;
    }
    const authorized = Array.from(table.querySelectorAll('tr[data-row="authorized"] input'));
    const current = Array.from(table.querySelectorAll('tr[data-row="current"] input'));
    const differences = table.querySelectorAll("[data-difference]");
    let totalAuthorized = 0;
    let totalCurrent = 0;
    authorized.forEach(function (input, index) {
      const a = parseNumber(input.value);
      const c = parseNumber(current[index].value);
      totalAuthorized += a;
      totalCurrent += c;
      setText(differences[index], formatSigned(c - a));
    });
    setText(table.querySelector('[data-total="authorized"]'), formatNumber(totalAuthorized));
    setText(table.querySelector('[data-total="current"]'), formatNumber(totalCurrent));
    setText(table.querySelector('[data-total="difference"]'), formatSigned(totalCurrent - totalAuthorized, "0"));
  }

  // Budget -------------------------------------------------------------------------------------

  const PARTS = ["national", "city", "district", "other"];

  function updateBudget() {
    const table = form.querySelector("table[data-budget]");
    if (!table) {
      return;
    }
    let amount = 0;
    let executed = 0;
    let expected = 0;
    table.querySelectorAll("tbody[data-line]").forEach(function (line) {
      const lineAmount = sumOf(line, PARTS, "");
      const lineExecuted = sumOf(line, PARTS, "exec_");
      setText(line.querySelector('[data-sum="amount"]'), formatNumber(lineAmount));
      setText(line.querySelector('[data-sum="executed"]'), formatNumber(lineExecuted));
      setText(line.querySelector("[data-rate]"), formatRate(lineExecuted, lineAmount));
      const parent = line.querySelector('select[name$="-parent"]');
      const isChild = Boolean(parent && parent.value);
      const deleted = line.querySelector('input[name$="-DELETE"]');
      line.classList.toggle("child", isChild);
      line.classList.toggle("deleted", Boolean(deleted && deleted.checked));
      if (!isChild && !(deleted && deleted.checked)) {
        amount += lineAmount;
        executed += lineExecuted;
        expected += valueOf(line, 'input[name$="-expected"]');
      }
    });
    setText(table.querySelector('[data-total="amount"]'), formatNumber(amount));
    setText(table.querySelector('[data-total="executed"]'), formatNumber(executed));
    setText(table.querySelector('[data-total="expected"]'), expected ? formatNumber(expected) : "");
    setText(table.querySelector('[data-total="rate"]'), formatRate(executed, amount));
  }

  // Rows added from templates ------------------------------------------------------------------

  function addForm(prefix, templateId) {
    const total = form.querySelector("#id_" + prefix + "-TOTAL_FORMS");
    const template = document.getElementById(templateId);
    const index = Number(total.value);
    const holder = document.createElement("template");
    holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index)).trim();
    total.value = String(index + 1);
    return holder.content.firstElementChild;
  }

  function focusFirstInput(element) {
    const input = element.querySelector('input:not([type="hidden"]), select');
    if (input) {
      input.focus();
    }
  }

  // Cards --------------------------------------------------------------------------------------

  function cardGroups() {
    return Array.from(form.querySelectorAll(".card-group[data-section]"));
  }

  /** Write each card's place in its section into its hidden order input. */
  function writeCardOrder() {
    form.querySelectorAll(".card-group").forEach(function (group) {
      const rows = group.querySelectorAll("li[data-card]");
      rows.forEach(function (row, index) {
        const order = row.querySelector("input.card-order");
        if (order) {
          order.value = String(index + 1);
        }
      });
      const empty = group.querySelector(".empty-group");
      if (empty) {
        empty.hidden = rows.length > 0;
      }
    });
  }

  function moveCard(row, step) {
    const sibling = step < 0 ? row.previousElementSibling : row.nextElementSibling;
    if (!sibling) {
      return;
    }
    if (step < 0) {
      row.parentNode.insertBefore(row, sibling);
    } else {
      row.parentNode.insertBefore(sibling, row);
    }
    writeCardOrder();
    row.querySelector('button[data-move="' + step + '"]').focus();
  }

  function moveCardToSection(row, sectionId) {
    const group = form.querySelector('.card-group[data-section="' + sectionId + '"]');
    if (group && row.parentNode !== group.querySelector(".card-list")) {
      group.querySelector(".card-list").appendChild(row);
      writeCardOrder();
      row.scrollIntoView({ block: "nearest" });
    }
  }

  function addCard(sectionId) {
    const group = form.querySelector('.card-group[data-section="' + sectionId + '"]');
    const row = addForm("cards", "card-template");
    const list = group.querySelector(".card-list");
    const numbers = Array.from(list.querySelectorAll("input.card-number")).map(function (input) {
      return parseNumber(input.value) || 0;
    });
    row.querySelector("select.card-section").value = String(sectionId);
    row.querySelector("input.card-number").value = String(Math.max(0, ...numbers) + 1);
    list.appendChild(row);
    writeCardOrder();
    updateCard(row);
    row.querySelector("input.card-title-input").focus();
  }

  function renumber(group) {
    group.querySelectorAll("li[data-card]").forEach(function (row, index) {
      row.querySelector("input.card-number").value = String(index + 1);
    });
  }

  function updateCard(row) {
    const kind = row.querySelector("select.budget-kind");
    if (kind) {
      row.dataset.kind = kind.value;
    }
    const total = row.querySelector("[data-required-total]");
    if (total) {
      setText(total, formatNumber(sumOf(row, PARTS, "required_")));
    }
    const deleted = row.querySelector('input[name$="-DELETE"]');
    row.classList.toggle("deleted", Boolean(deleted && deleted.checked));
  }

  let dragged = null;

  form.addEventListener("mousedown", function (event) {
    const handle = event.target.closest(".drag-handle");
    if (handle) {
      handle.closest("li[data-card]").draggable = true;
    }
  });
  form.addEventListener("dragstart", function (event) {
    dragged = event.target.closest && event.target.closest("li[data-card]");
    if (!dragged) {
      return;
    }
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", "");
    dragged.classList.add("dragging");
  });
  form.addEventListener("dragover", function (event) {
    if (!dragged) {
      return;
    }
    const target = event.target.closest("li[data-card]");
    if (!target || target === dragged || target.parentNode !== dragged.parentNode) {
      return;
    }
    event.preventDefault();
    const box = target.getBoundingClientRect();
    const after = event.clientY > box.top + box.height / 2;
    target.parentNode.insertBefore(dragged, after ? target.nextSibling : target);
  });
  form.addEventListener("dragend", function () {
    if (dragged) {
      dragged.classList.remove("dragging");
      dragged.draggable = false;
      dragged = null;
      writeCardOrder();
    }
  });

  // Wiring -------------------------------------------------------------------------------------

  form.addEventListener("input", function (event) {
    if (event.target.closest("table[data-staffing]")) {
      updateStaffing();
    } else if (event.target.closest("table[data-budget]")) {
      updateBudget();
    } else if (event.target.closest("li[data-card]")) {
      updateCard(event.target.closest("li[data-card]"));
    }
  });

  form.addEventListener("change", function (event) {
    const target = event.target;
    const card = target.closest("li[data-card]");
    if (card) {
      if (target.matches("select.card-section")) {
        moveCardToSection(card, target.value);
      }
      updateCard(card);
    } else if (target.closest("table[data-budget]")) {
      updateBudget();
    } else if (target.matches('input[name$="-DELETE"]')) {
      const row = target.closest("tr");
      if (row) {
        row.classList.toggle("deleted", target.checked);
      }
    }
  });

  form.addEventListener("click", function (event) {
    const button = event.target.closest("button");
    if (!button) {
      return;
    }
    if (button.dataset.move) {
      moveCard(button.closest("li[data-card]"), Number(button.dataset.move));
    } else if (button.dataset.addCard) {
      addCard(button.dataset.addCard);
    } else if (button.hasAttribute("data-renumber")) {
      renumber(button.closest(".card-group"));
    } else if (button.hasAttribute("data-add-line")) {
      const line = addForm("lines", "line-template");
      form.querySelector("table[data-budget]").appendChild(line);
      focusFirstInput(line);
    } else if (button.hasAttribute("data-add-section")) {
      const row = addForm("sections", "section-template");
      const body = form.querySelector("tbody[data-sections]");
      const orders = Array.from(body.querySelectorAll("input.section-order")).map(function (input) {
        return parseNumber(input.value) || 0;
      });
      row.querySelector("input.section-order").value = String(Math.max(0, ...orders) + 1);
      body.appendChild(row);
      row.querySelector("input.section-title").focus();
    }
  });

  // A field with an error is where the officer goes next.
  const summary = document.getElementById("editor-errors");
  if (summary) {
    summary.focus();
  }
  form.querySelectorAll("li[data-card]").forEach(updateCard);
  updateStaffing();
  updateBudget();
})();
