import type { ArtifactHistory } from './history';
import { findingsBySeverity, provenanceChain } from './render-history';

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

const COLORS = { critical: '#7b1fa2', high: '#c62828', medium: '#ef6c00', low: '#f9a825', info: '#1565c0', unknown: '#616161' } as const;

/**
 * `history REF -o html`: one self-contained page (inline CSS, no script, no network) that shows an
 * artifact's evidence at a glance: the provenance chain, findings by severity, the tags timeline,
 * then the whole audit trail.
 */
export function historyHtml(h: ArtifactHistory, generatedAt: string): string {
  const chain = provenanceChain(h)
    .map((l) => `<li class="link ${l.state}" data-step="${l.step}" data-state="${l.state}"><span class="step">${esc(l.step)}</span><span class="sum">${esc(l.summary)}</span></li>`)
    .join('<li class="arrow" aria-hidden="true">→</li>');
  const findings = findingsBySeverity(h);
  const max = findings ? Math.max(1, ...Object.values(findings)) : 1;
  const bars = findings
    ? Object.entries(findings)
        .map(([s, n]) => `<tr data-severity="${s}"><th>${s}</th><td><div class="bar" style="width:${Math.round((n / max) * 100)}%;background:${COLORS[s as keyof typeof COLORS]}"></div></td><td class="n">${n}</td></tr>`)
        .join('')
    : '';
  const tags = h.tags
    .flatMap((t) => t.pushes.map((p) => ({ ...p, bound: t.boundTo })))
    .sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0))
    .map((p) => `<li class="tag ${p.outcome}" data-tag="${esc(p.tag)}"><time>${esc(p.time)}</time> <b>${esc(p.tag)}</b> ${esc(p.outcome)} <code>${esc(p.digest.slice(0, 19))}…</code></li>`)
    .join('');
  const trail = h.trail
    .map((e) => `<tr class="${esc(e.outcome)}"><td><time>${esc(e.time)}</time></td><td>${esc(e.actor)}</td><td>${esc(e.action)}</td><td>${esc(e.outcome)}</td></tr>`)
    .join('');
  const title = `${h.repositoryName}@${h.digest}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Artifact Guard: ${esc(title)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#212121;background:#fafafa}
h1{font-size:18px;word-break:break-all}h2{font-size:15px;margin-top:24px}
.chain{display:flex;flex-wrap:wrap;list-style:none;padding:0;gap:4px;align-items:stretch}
.link{border-radius:6px;padding:8px 10px;min-width:110px;max-width:220px;border:2px solid}
.link .step{display:block;font-weight:700;text-transform:uppercase;font-size:11px}.link .sum{font-size:12px;word-break:break-word}
.ok{background:#e8f5e9;border-color:#2e7d32}.bad{background:#ffebee;border-color:#c62828}.missing{background:#eeeeee;border-color:#9e9e9e;color:#616161}
.arrow{align-self:center;color:#9e9e9e}
table{border-collapse:collapse}td,th{padding:3px 8px;text-align:left;vertical-align:top}
.findings th{width:80px}.findings td:nth-child(2){width:300px}.bar{height:14px;min-width:2px}.n{text-align:right}
.tags{list-style:none;padding:0}.tag.violation{color:#c62828;font-weight:700}
.trail tr:nth-child(even){background:#f0f0f0}.trail tr.violation td,.trail tr.denied td{color:#c62828}
footer{margin-top:24px;color:#757575;font-size:12px}
</style></head>
<body>
<h1 id="artifact">${esc(title)}</h1>
<p id="summary">${h.artifact ? `${esc(h.artifact.kind)}, first seen ${esc(h.artifact.firstSeen)}` : 'no artifact record'} · ${h.processed ? 'processed' : 'not processed'}${h.flags.length ? ` · <b class="flags">${h.flags.map((f) => esc(f.kind)).join(', ')}</b>` : ''}</p>
<h2>Provenance chain</h2>
<ol class="chain" id="chain">${chain}</ol>
<h2>Findings by severity</h2>
${findings ? `<table class="findings" id="findings">${bars}</table>` : '<p id="findings">no scan recorded</p>'}
<h2>Tags</h2>
${tags ? `<ul class="tags" id="tags">${tags}</ul>` : '<p id="tags">no tag pushes recorded</p>'}
<h2>Audit trail</h2>
<table class="trail" id="trail"><tr><th>time</th><th>actor</th><th>action</th><th>outcome</th></tr>${trail}</table>
<footer>Artifact Guard ledger · generated ${esc(generatedAt)}</footer>
</body></html>
`;
}
