/**
 * One self-contained HTML file from a ReportDocument: styles, data and plotly itself are inlined,
 * so it opens anywhere with no network (and prints to PDF from any Chromium). Each figure is drawn
 * by plotly on load; `<body data-figures-drawn>` counts the drawn ones (the e2e test reads it).
 * No DOM or Node APIs here: the renderer and the CLI both call it.
 */
import type { ReportDocument, ReportTable } from './document.js';

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** JSON safe inside a <script> element (no "</script>" or "<!--" can end it early). */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

/** Typed arrays become plain arrays so the figure survives JSON. */
function plain(value: unknown): unknown {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<number>);
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

function table(t: ReportTable, testId: string): string {
  const head = t.headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = t.rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table data-testid="${testId}"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

const STYLE = `
body { font: 13px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2933; margin: 24px auto; max-width: 1100px; padding: 0 16px; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 15px; margin: 22px 0 6px; border-bottom: 1px solid #e4e7eb; padding-bottom: 3px; }
.meta { color: #616e7c; font-size: 12px; }
table { border-collapse: collapse; font-size: 12px; margin: 4px 0; }
th, td { padding: 2px 8px; border-bottom: 1px solid #eceef1; text-align: right; white-space: nowrap; }
th { background: #f5f7fa; } td:first-child, th:first-child { text-align: left; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 4px 0; } dt { color: #616e7c; } dd { margin: 0; }
pre { background: #f5f7fa; padding: 8px; font-size: 11px; overflow-x: auto; white-space: pre-wrap; }
.figure { break-inside: avoid; margin: 8px 0 16px; } .figure h3 { font-size: 13px; margin: 4px 0; }
.notes li { color: #616e7c; }
@media print { body { margin: 0; max-width: none; } .figure { page-break-inside: avoid; } }
`;

export function reportHtml(doc: ReportDocument, plotlyJs: string): string {
  const facts = doc.clip.facts.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('');
  const figures = doc.figures
    .map((f, i) => `<div class="figure" data-figure="${escapeHtml(f.id)}"><h3>${escapeHtml(f.title)}</h3><div id="fig-${i}" class="plot"></div></div>`)
    .join('\n');
  const sections = [
    `<h1>${escapeHtml(doc.title)}</h1>`,
    `<p class="meta">${escapeHtml(doc.generator)} · ${escapeHtml(doc.generatedAt)}</p>`,
    `<h2>Clip</h2><dl data-testid="report-clip">${facts}</dl>`,
    `<h2>Budget: target vs realised</h2>${table(doc.budget, 'report-budget')}`,
    `<h2>Figures</h2>${figures}`,
    `<h2>Groups</h2>${table(doc.groups, 'report-groups')}`,
    doc.comparison ? `<h2>Comparison: ${escapeHtml(doc.comparison.labelA)} vs ${escapeHtml(doc.comparison.labelB)}</h2>${table(doc.comparison.table, 'report-comparison')}` : '',
    doc.prefill
      ? `<h2>Prefill</h2>${table(doc.prefill.table, 'report-prefill')}${doc.prefill.notes.length ? `<ul class="notes">${doc.prefill.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : ''}`
      : '',
    `<h2>Config</h2><pre data-testid="report-config">${escapeHtml(doc.configYaml)}</pre>`,
    `<h2>Official scripts: flags and env</h2><pre data-testid="report-flags">${escapeHtml(doc.flagsEnv)}</pre>`,
    doc.notes.length ? `<h2>Notes</h2><ul class="notes">${doc.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : '',
  ];
  const figureData = doc.figures.map((f) => ({ data: plain(f.data), layout: plain({ ...f.layout, width: 1040 }) }));
  // The figure drawing script: every figure static (no mode bar), then the count for tests and printing.
  const draw = `(function(){var figs=${scriptJson(figureData)};var done=0;figs.forEach(function(f,i){Plotly.newPlot('fig-'+i,f.data,f.layout,{staticPlot:true,displayModeBar:false}).then(function(){done++;document.body.setAttribute('data-figures-drawn',String(done));});});document.body.setAttribute('data-figures-total',String(figs.length));})();`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; font-src data:">
<title>${escapeHtml(doc.title)}</title><style>${STYLE}</style></head>
<body data-figures-drawn="0">
${sections.filter(Boolean).join('\n')}
<script>${plotlyJs.replace(/<\/script/gi, '<\\/script')}</script>
<script>${draw}</script>
</body></html>
`;
}
