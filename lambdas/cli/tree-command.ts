import type { AttachmentTree, AttestationEntry, KeyMatch, ManifestAttachments, SignatureEntry } from '../attest/attachments';
import { attachmentTree } from '../attest/attachments';
import { oneOf, parseCommand } from './args';
import type { CommandResult } from './command';
import { progressDisplay } from './progress-render';
import { openSigningSource, verificationKeysFor } from './signing-wiring';

interface Node {
  readonly label: string;
  readonly children?: readonly Node[];
}

/** `├── a` / `│   └── b`, as `cosign tree` and `tree(1)` draw it. */
function draw(node: Node, prefix = '', last = true, root = true): string[] {
  const lines = [root ? node.label : `${prefix}${last ? '└── ' : '├── '}${node.label}`];
  const inner = root ? '' : `${prefix}${last ? '    ' : '│   '}`;
  const kids = node.children ?? [];
  kids.forEach((k, i) => lines.push(...draw(k, inner, i === kids.length - 1, false)));
  return lines;
}

const keyText = (k: KeyMatch): string => `key ${k.name} (hint ${k.hint})`;
const problemText = (p: string | undefined): string => (p ? `: ${p}` : '');

function signatureLabel(s: SignatureEntry, verifying: boolean): string {
  const who = s.key ? keyText(s.key) : `layer ${s.digest}`;
  const identity = s.identity !== undefined ? `, identity ${s.identity || '(empty)'}` : '';
  return `${who}${identity}${verifying ? '' : ' (unverified)'}${problemText(s.problem)}`;
}

function attestationLabel(a: AttestationEntry, verifying: boolean): string {
  const who = a.key ? `: ${keyText(a.key)}` : verifying ? '' : ' (unverified)';
  const what = a.via === 'att' ? `${a.origin} ${a.digest}` : a.origin;
  return `${what}${who}${problemText(a.problem)}`;
}

function manifestNode(m: ManifestAttachments, label: string, verifying: boolean, children: Node[] = []): Node {
  const kids: Node[] = [];
  if (m.signatures) {
    kids.push({
      label: `signatures: ${m.signatures.tag}${m.signatures.manifest ? ` (${m.signatures.manifest})` : ''}${problemText(m.signatures.problem)}`,
      children: m.signatures.layers.map((s) => ({ label: signatureLabel(s, verifying) })),
    });
  }
  if (m.attestations.length) {
    kids.push({
      label: 'attestations',
      children: m.attestations.map((g) => ({
        label: g.type === g.predicateType ? g.predicateType : `${g.type} (${g.predicateType})`,
        children: g.entries.map((e) => ({ label: attestationLabel(e, verifying) })),
      })),
    });
  }
  if (m.sboms) {
    kids.push({ label: `sboms: ${m.sboms.tag}${m.sboms.manifest ? ` (${m.sboms.manifest})` : ''}${problemText(m.sboms.problem)}`, children: m.sboms.layers.map((l) => ({ label: `${l.mediaType}: ${l.digest}` })) });
  }
  if (m.referrers.length) {
    const byType = new Map<string, string[]>();
    for (const r of m.referrers) byType.set(r.artifactType, [...(byType.get(r.artifactType) ?? []), r.digest]);
    kids.push({ label: `referrers (${m.referrersVia === 'referrers-api' ? 'referrers API' : 'tag schema'})`, children: [...byType].map(([type, digests]) => ({ label: type, children: digests.map((d) => ({ label: d })) })) });
  }
  if (m.fallbackIndex) {
    const f = m.fallbackIndex;
    kids.push({ label: `referrers fallback index: ${f.tag}${f.manifest ? ` (${f.manifest}, ${f.entries} ${f.entries === 1 ? 'entry' : 'entries'})` : ''}${problemText(f.problem)}` });
  }
  for (const p of m.problems) kids.push({ label: `problem: ${p}` });
  if (kids.length === 0) kids.push({ label: 'nothing attached' });
  return { label, children: [...kids, ...children] };
}

export function treeText(reference: string, t: AttachmentTree): string {
  const verifying = t.keys.length > 0;
  const [root, ...members] = t.manifests;
  if (!root) return '';
  const platforms = members.map((m) => manifestNode(m, `${m.platform ?? m.role} ${m.digest}`, verifying));
  const head = `${t.repository}@${t.digest} (${t.kind}${members.length ? `, ${members.length} manifest${members.length === 1 ? '' : 's'}` : ''}) from ${reference}`;
  const lines = draw(manifestNode(root, head, verifying, platforms));
  lines.push(verifying ? `verified with ${t.keys.map(keyText).join(', ')}` : 'nothing verified: give --key PUBKEY to check signatures and attestations');
  return `${lines.join('\n')}\n`;
}

/** `tree REF [--key PUBKEY…] [-o text|json]`: what is attached to REF (cosign tree). Exit 0 whatever it finds. */
export async function treeCommand(argv: string[]): Promise<CommandResult> {
  const { values, positionals } = parseCommand('tree', argv);
  const format = oneOf('tree', '-o', values.output, ['text', 'json'] as const, 'text');
  const display = progressDisplay(values);
  try {
    const keys = values.key?.length ? await verificationKeysFor(values.key) : [];
    const source = await openSigningSource('tree', positionals[0] as string, values.insecure, display);
    try {
      const tree = await attachmentTree(source, keys, display);
      return { exitCode: 0, stdout: format === 'json' ? `${JSON.stringify({ reference: source.display, ...tree }, null, 2)}\n` : treeText(source.display, tree) };
    } finally {
      await source.close();
    }
  } finally {
    display.end();
  }
}
