#include "demo_page.h"

#include <string_view>

namespace devflow::demo {
namespace {

constexpr std::string_view kServedByMarker = "{{SERVED_BY}}";

// The fetch goes to the absolute path "/color" of the page's origin, never to a fixed host, so
// it passes through the same proxy that served the page. Outstanding requests are capped so a
// slow version (--latency-ms) does not pile up thousands of open connections in the browser.
constexpr std::string_view kPage = R"html(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>devflow demo</title>
<style>
  body { margin: 0; font-family: system-ui, sans-serif; background: #f3f3f3; color: #222; }
  header { position: sticky; top: 0; display: flex; flex-wrap: wrap; gap: 12px 20px;
           align-items: center; padding: 12px 16px; background: #1f2328; color: #eee; }
  header b { color: #fff; }
  button { font: inherit; padding: 2px 10px; cursor: pointer; }
  #counts { display: flex; flex-wrap: wrap; gap: 8px; width: 100%; }
  .count { padding: 2px 8px; border-radius: 4px; background: #30363d; }
  .swatch { display: inline-block; width: 12px; height: 12px; margin-right: 6px;
            vertical-align: -1px; box-sizing: border-box; }
  #grid { display: flex; flex-wrap: wrap; gap: 2px; padding: 16px; }
  .square { width: 16px; height: 16px; box-sizing: border-box; }
  .error { background: #000; border: 3px solid #e5141b; }
</style>
</head>
<body>
<header>
  <span><b>devflow demo</b>: this page was served by <b id="served-by">{{SERVED_BY}}</b></span>
  <span id="status">asking /color 50 times a second</span>
  <button id="pause">Pause</button>
  <button id="reset">Reset</button>
  <div id="counts"></div>
</header>
<div id="grid"></div>
<script>
"use strict";
const PER_SECOND = 50;
const MAX_SQUARES = 1500;
const MAX_OUTSTANDING = 250;

const grid = document.getElementById("grid");
const countsBox = document.getElementById("counts");
const counts = new Map();  // label -> { count, error }
let total = 0;
let outstanding = 0;
let running = true;

// A name the browser does not know as a colour (an image tag such as "v2") still gets a stable
// colour of its own.
function cssColor(name) {
  if (window.CSS && CSS.supports("color", name)) return name;
  let hue = 0;
  for (const ch of name) hue = (hue * 31 + ch.codePointAt(0)) % 360;
  return "hsl(" + hue + ", 65%, 50%)";
}

function swatch(label, entry) {
  const box = document.createElement("span");
  box.className = entry.error ? "swatch error" : "swatch";
  if (!entry.error) box.style.background = cssColor(label);
  return box;
}

function record(label, error) {
  const entry = counts.get(label) || { count: 0, error: error };
  entry.count++;
  counts.set(label, entry);
  total++;
  const square = document.createElement("div");
  square.className = error ? "square error" : "square";
  if (!error) square.style.background = cssColor(label);
  square.title = label;
  grid.appendChild(square);
  while (grid.childElementCount > MAX_SQUARES) grid.firstElementChild.remove();
}

async function askColor() {
  outstanding++;
  try {
    const response = await fetch("/color", { cache: "no-store" });
    let body = null;
    try { body = await response.json(); } catch (e) { body = null; }
    if (response.ok && body && typeof body.color === "string") {
      record(body.color, false);
    } else {
      record("error " + response.status, true);
    }
  } catch (e) {
    record("error (no answer)", true);
  } finally {
    outstanding--;
  }
}

function renderCounts() {
  const rows = [...counts.entries()].sort((a, b) => b[1].count - a[1].count);
  countsBox.replaceChildren(...rows.map(([label, entry]) => {
    const item = document.createElement("span");
    item.className = "count";
    const share = total ? (100 * entry.count / total).toFixed(1) : "0.0";
    item.append(swatch(label, entry), label + ": " + entry.count + " (" + share + "%)");
    return item;
  }));
}

document.getElementById("pause").onclick = (event) => {
  running = !running;
  event.target.textContent = running ? "Pause" : "Resume";
  document.getElementById("status").textContent =
      running ? "asking /color 50 times a second" : "paused";
};
document.getElementById("reset").onclick = () => {
  counts.clear();
  total = 0;
  grid.replaceChildren();
  renderCounts();
};

setInterval(() => {
  if (running && outstanding < MAX_OUTSTANDING) askColor();
}, 1000 / PER_SECOND);
setInterval(renderCounts, 250);
</script>
</body>
</html>
)html";

}  // namespace

std::string DemoPageHtml(const std::string& served_by) {
  std::string page(kPage);
  page.replace(page.find(kServedByMarker), kServedByMarker.size(), served_by);
  return page;
}

}  // namespace devflow::demo
