// mtcheck review: keyboard, buttons and text selection over the server-rendered page.
// Served by the review app itself (the Content-Security-Policy allows no inline or outside script).
"use strict";
(function () {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const reviewerInput = document.getElementById("reviewer");
  const saved = window.localStorage.getItem("mtcheck-reviewer");
  if (reviewerInput && saved) reviewerInput.value = saved;
  if (reviewerInput) reviewerInput.addEventListener("change", () =>
    window.localStorage.setItem("mtcheck-reviewer", reviewerInput.value.trim()));

  const textBox = document.getElementById("text");
  if (!textBox) return; // the article list needs nothing more

  const articleId = document.body.dataset.article;
  const items = JSON.parse(document.getElementById("items").textContent);
  const $ = (id) => document.getElementById(id);
  const status = $("status");
  let current = -1;

  function reviewer() {
    const name = reviewerInput.value.trim();
    if (!name) {
      say("Type your name in the Reviewer field first.", true);
      reviewerInput.focus();
      return null;
    }
    window.localStorage.setItem("mtcheck-reviewer", name);
    return name;
  }

  function say(message, bad) {
    status.textContent = message;
    status.classList.toggle("bad", !!bad);
  }

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body),
    });
    const answer = await response.json().catch(() => ({ error: response.statusText }));
    if (!response.ok) throw new Error(answer.error || response.statusText);
    return answer;
  }

  function piecesOf(item) {
    const attribute = item.origin === "flag" ? "data-flag" : "data-added";
    return Array.from(textBox.querySelectorAll(".piece")).filter((p) =>
      (p.getAttribute(attribute) || "").split(" ").includes(item.id));
  }

  function originLabel(item) {
    if (item.origin === "flag") return item.detector;
    if (item.origin === "earlier-flag") return `${item.detector}, no longer raised`;
    return "added";
  }

  function show(index) {
    if (!items.length) return;
    current = (index + items.length) % items.length;
    const item = items[current];
    textBox.querySelectorAll(".current").forEach((p) => p.classList.remove("current"));
    const pieces = piecesOf(item);
    pieces.forEach((p) => p.classList.add("current"));
    if (pieces.length) pieces[0].scrollIntoView({ block: "center", behavior: "auto" });
    $("current").hidden = false;
    $("add-form").hidden = true;
    $("cur-label").textContent = `${current + 1}/${items.length} · ${originLabel(item)}`;
    $("cur-state").textContent = item.state + (item.reviewer ? ` (${item.reviewer})` : "");
    $("cur-state").className = "state state-" + item.state;
    $("cur-text").textContent = item.text;
    $("cur-message").textContent = item.message || "";
    $("cur-bt").textContent = item.back_translation || "–";
    $("cur-ref").textContent = (item.references || []).join(" / ") || "–";
    $("cur-category").value = item.category;
    $("cur-severity").value = item.severity;
    $("cur-suggestion").value = item.suggestion || "";
    $("cur-note").value = item.note || "";
    say(`${item.severity} · ${item.category}: ${item.state}`);
  }

  function refresh(item) {
    items[current] = item;
    piecesOf(item).forEach((p) => {
      p.classList.remove("state-pending", "state-accepted", "state-rejected", "sev-minor", "sev-major", "sev-critical");
      if (item.origin === "flag") p.classList.add("state-" + item.state, "sev-" + item.severity);
    });
  }

  async function decide(verdict, overrides) {
    if (current < 0) { say("Press j to go to a flag first.", true); return; }
    const name = reviewer();
    if (!name) return;
    const item = items[current];
    const body = {
      item: item.id, text: item.text, verdict, reviewer: name,
      category: $("cur-category").value, severity: $("cur-severity").value,
      suggestion: $("cur-suggestion").value, note: $("cur-note").value, ...overrides,
    };
    try {
      const answer = await post(`/api/decide/${encodeURIComponent(articleId)}`, body);
      refresh(answer.item);
      const next = items.findIndex((it, i) => i > current && it.state === "pending");
      show(next >= 0 ? next : current);
      say(`${verdict === "accept" ? "Accepted" : "Rejected"}: ${answer.item.text}`);
    } catch (error) {
      say(error.message, true);
    }
  }

  async function undo() {
    const name = reviewer();
    if (!name) return;
    try {
      const answer = await post("/api/undo", { reviewer: name, article_id: articleId });
      if (!answer.undone) { say("Nothing of yours to undo in this article."); return; }
      window.location.reload();
    } catch (error) {
      say(error.message, true);
    }
  }

  // A selection's ends as offsets into the article: every piece knows where it starts.
  function offsetOf(node, offset) {
    if (node.nodeType === Node.TEXT_NODE) {
      const piece = node.parentElement.closest(".piece");
      return piece && textBox.contains(piece) ? Number(piece.dataset.start) + offset : null;
    }
    if (node === textBox) {
      const child = textBox.childNodes[offset];
      return child ? Number(child.dataset.start) : textBox.textContent.length;
    }
    const piece = node.closest && node.closest(".piece");
    if (!piece || !textBox.contains(piece)) return null;
    return Number(piece.dataset.start) + (offset > 0 ? piece.textContent.length : 0);
  }

  let pending = null;
  function startAdd() {
    const selection = window.getSelection();
    if (!selection.rangeCount || selection.isCollapsed) { say("Select the French words first, then press m.", true); return; }
    const range = selection.getRangeAt(0);
    let start = offsetOf(range.startContainer, range.startOffset);
    let end = offsetOf(range.endContainer, range.endOffset);
    if (start === null || end === null) { say("Select text inside the article.", true); return; }
    const text = textBox.textContent;
    while (start < end && /\s/.test(text[start])) start++;
    while (end > start && /\s/.test(text[end - 1])) end--;
    if (start >= end) { say("The selection holds no word.", true); return; }
    pending = { start, end, text: text.slice(start, end) };
    $("add-text").textContent = text.slice(start, end);
    $("current").hidden = true;
    $("add-form").hidden = false;
    $("add-category").focus();
  }

  async function saveAdd(event) {
    event.preventDefault();
    const name = reviewer();
    if (!name || !pending) return;
    try {
      await post(`/api/add/${encodeURIComponent(articleId)}`, {
        ...pending, reviewer: name, category: $("add-category").value, severity: $("add-severity").value,
        suggestion: $("add-suggestion").value, note: $("add-note").value,
      });
      window.location.reload();
    } catch (error) {
      say(error.message, true);
    }
  }

  $("accept").addEventListener("click", () => decide("accept"));
  $("reject").addEventListener("click", () => decide("reject"));
  $("undo").addEventListener("click", undo);
  $("add-form").addEventListener("submit", saveAdd);
  $("add-cancel").addEventListener("click", () => { $("add-form").hidden = true; pending = null; });
  for (const id of ["cur-suggestion", "cur-note"]) {
    $(id).addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); decide("accept"); event.target.blur(); }
    });
  }
  textBox.addEventListener("click", (event) => {
    const piece = event.target.closest(".piece.flag, .piece.added");
    if (!piece || !window.getSelection().isCollapsed) return;
    const id = piece.dataset.flag || (piece.dataset.added || "").split(" ")[0];
    const index = items.findIndex((it) => it.id === id);
    if (index >= 0) show(index);
  });

  const severities = { "1": "minor", "2": "major", "3": "critical" };
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const tag = (event.target.tagName || "").toLowerCase();
    if (["input", "textarea", "select"].includes(tag)) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    const key = event.key;
    if (key === "j" || key === "n") show(current + 1);
    else if (key === "k" || key === "p") show(current - 1);
    else if (key === "a") decide("accept");
    else if (key === "r") decide("reject");
    else if (key === "u") undo();
    else if (key === "m") startAdd();
    else if (key === "e" && current >= 0) $("cur-suggestion").focus();
    else if (severities[key] && current >= 0) decide("accept", { severity: severities[key] });
    else return;
    event.preventDefault();
  });
})();
