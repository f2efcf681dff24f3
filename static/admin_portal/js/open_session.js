// The clerk's "회기 열기" page: select or clear every department at once, and count them.
document.addEventListener("DOMContentLoaded", () => {
  const boxes = Array.from(document.querySelectorAll('.open-session .bureau input[type="checkbox"]'));
  const count = document.getElementById("department-count");
  const update = () => { count.textContent = boxes.filter((box) => box.checked).length; };
  for (const button of document.querySelectorAll("[data-check-all]")) {
    button.hidden = false;
    button.addEventListener("click", () => {
      const on = button.dataset.checkAll === "on";
      boxes.forEach((box) => { box.checked = on; });
      update();
    });
  }
  boxes.forEach((box) => box.addEventListener("change", update));
  update();
});
